"""The ``push.send`` job: the deliveries of one transaction's notifications, sent together.

notify() queues one ``push.send`` per transaction with the ids of the deliveries it created. A run reads them
in one query, sends them over the worker's pooled connections with a few requests in flight, and records what
came back in group commits (the attempts and new states of many deliveries in one transaction) instead of one
commit per delivery. It answers everything a single delivery does (worker/push.py ``attempt()``): 413 is sent
again at once, smaller; 404/410 delete the subscription (the version it was sent to); a delivery that must wait
(429 Retry-After, 5xx and network errors with backoff) is handed over, in the same commit as its attempt, to its
own ``push.deliver`` job (job id ``push:<delivery_id>``), which retries it from then on.

Running it again sends nothing twice: it only takes deliveries still pending that were never tried. A delivery
already tried is either finished or belongs to its ``push.deliver`` job; one that was sent but not yet recorded
when the worker died is sent again, as with the single job (at least once, never again after it is recorded).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, delete, insert, update

from api.db.models import OutboxMessage, PushAttempt, PushDelivery, PushSubscription
from api.db.types import utcnow
from api.notifications.payload import PayloadAction, PushPayload
from api.notifications.service import DELIVER_JOB, SEND_JOB, delivery_job_id
from api.notifications.vapid import VapidIdentity, load_identity, subject_for
from worker import push
from worker.jobs import JobContext, job
from worker.push import Claim, Step

LANES = 8  # sends under way at once: while some wait for their answer, others encrypt
GROUP = 100  # results recorded per commit while the run goes on (all the rest at its end)
READ_CHUNK = 500  # ids per query: far below the drivers' limits on parameters
# A run takes no new delivery after this long and queues the rest as a new push.send, so that it ends well
# within the embedded runner's lease on its outbox row and arq's job timeout (a slow push service, say).
RUN_FOR_S = 60.0

_LOAD_SQL = """
SELECT d.id, d.shrink, d.expires_at, d.notification_id, n.org_id, n.type, n.title, n.body, n.url, n.tag, n.lang,
       n.actions, n.action_token, n.data, n.urgency, s.id, s.version, s.endpoint, s.p256dh, s.auth
FROM push_deliveries d
JOIN notifications n ON n.id = d.notification_id
LEFT JOIN push_subscriptions s ON s.id = d.subscription_id
WHERE d.state = 'pending' AND d.attempts = 0 AND d.id IN ({ids})
"""


@dataclass
class Result:
    """What became of one delivery in this run: its attempts in order, and its state afterwards."""

    claim: Claim
    steps: list[Step] = field(default_factory=list)
    at: list[datetime] = field(default_factory=list)
    state: str | None = None
    retry_s: float | None = None


@job(SEND_JOB)
async def send(ctx: JobContext, delivery_ids: list[str]) -> dict[str, int]:
    """Send the given deliveries that are still to be sent; returns how many ended in each state."""
    batch = Batch(ctx)
    claims = await batch.load([uuid.UUID(i) for i in delivery_ids])
    await batch.run(claims)
    return batch.counts


class Batch:
    def __init__(self, ctx: JobContext) -> None:
        self.ctx = ctx
        self.identity: VapidIdentity = load_identity(ctx.settings)
        self.done: list[Result] = []
        self.later: list[Claim] = []  # not started in time: queued again as a new push.send
        self.counts: dict[str, int] = {}
        self._flushing: asyncio.Task[None] | None = None

    async def load(self, ids: list[uuid.UUID]) -> list[Claim]:
        """The deliveries to send, in the order given; those with nothing left to send are finished at once."""
        order = {delivery_id: n for n, delivery_id in enumerate(ids)}
        sqlite = self.ctx.db.dialect == "sqlite"
        rows: list[Any] = []
        for start in range(0, len(ids), READ_CHUNK):
            chunk = ids[start : start + READ_CHUNK]
            sql = _LOAD_SQL.format(ids=", ".join("?" * len(chunk)))
            rows += await self.ctx.db.reader.fetch(sql, [str(i) if sqlite else i for i in chunk])
        now = utcnow()
        payloads: dict[Any, tuple[PushPayload, dict[int, bytes]]] = {}
        claims: list[Claim] = []
        for row in rows:
            (delivery_id, shrink, expires, notification_id, org_id, type_, title, body, url, tag, lang, actions,
             token, data, urgency, subscription_id, version, endpoint, p256dh, auth) = row  # fmt: skip
            shared = payloads.get(notification_id)
            if shared is None:  # a notification's deliveries share its payload, and its encodings
                payload = PushPayload(
                    type=type_, title=title, body=body, url=url, tag=tag, lang=lang,
                    actions=[PayloadAction(a["action"], a["title"]) for a in push._json(actions) or ()],
                    action_token=token, data=push._json(data) or {},
                )  # fmt: skip
                shared = payloads[notification_id] = (payload, {})
            claim = Claim(
                delivery_id=uuid.UUID(str(delivery_id)),
                subscription_id=uuid.UUID(str(subscription_id)) if subscription_id is not None else uuid.UUID(int=0),
                subscription_version=version,
                endpoint=endpoint,
                p256dh=p256dh,
                auth=auth,
                payload=shared[0],
                urgency=urgency,
                shrink=shrink,
                expires_at=push._instant(expires),
                subject="",
                org_id=uuid.UUID(str(org_id)),
                bodies=shared[1],
            )
            if subscription_id is None:  # unsubscribed or signed out meanwhile
                self._finish(Result(claim, state="cancelled"))
            elif claim.expires_at <= now:
                self._finish(Result(claim, state="expired"))
            else:
                claim.subject = await subject_for(
                    self.ctx.db.sessionmaker, self.ctx.settings, self.identity, uuid.UUID(str(org_id))
                )
                claims.append(claim)
        claims.sort(key=lambda c: order.get(c.delivery_id, 0))
        return claims

    async def run(self, claims: list[Claim]) -> None:
        """Send every claim with LANES under way at once; record as results gather, and the rest at the end."""
        queue = iter(claims)
        deadline = time.monotonic() + RUN_FOR_S

        async def lane() -> None:
            for claim in queue:
                if time.monotonic() > deadline:
                    self.later.append(claim)
                    continue
                self._finish(await self._deliver(claim))

        try:
            async with asyncio.TaskGroup() as lanes:  # one failing lane stops the others
                for _ in range(min(LANES, len(claims))):
                    lanes.create_task(lane())
        finally:
            # Whatever came back is recorded, even when a lane failed: those deliveries were sent.
            if self._flushing is not None:
                with contextlib.suppress(Exception):  # its results went back into self.done
                    await self._flushing
            await self._flush()

    async def _deliver(self, claim: Claim) -> Result:
        """One delivery until there is an answer to keep, as push.deliver does, without writing yet."""
        result = Result(claim)
        while True:
            step = await push.attempt(self.ctx, claim, self.identity, 1)
            result.steps.append(step)
            result.at.append(utcnow())
            if not step.again:
                result.state, result.retry_s = step.state, step.retry_s
                return result
            claim.shrink += 1

    def _finish(self, result: Result) -> None:
        self.done.append(result)
        state = result.state or "retrying"
        self.counts[state] = self.counts.get(state, 0) + 1
        if len(self.done) >= GROUP and (self._flushing is None or self._flushing.done()):
            if self._flushing is not None and not self._flushing.cancelled():
                self._flushing.exception()  # seen; its results are back in self.done and go with this one
            self._flushing = asyncio.create_task(self._flush())

    async def _flush(self) -> None:
        """Record the results gathered so far in one transaction (a group commit); on failure they wait for the next."""
        results, self.done = self.done, []
        later, self.later = self.later, []
        if not results and not later:
            return
        try:
            await record(self.ctx, results, later)
        except BaseException:
            self.done, self.later = results + self.done, later + self.later
            raise


_attempts = insert(PushAttempt.__table__)
_deliveries = PushDelivery.__table__
_update = (
    update(_deliveries)
    .where(_deliveries.c.id == bindparam("d_id"), _deliveries.c.state == "pending")
    .values(
        state=bindparam("d_state"),
        last_status=bindparam("d_status"),
        shrink=bindparam("d_shrink"),
        attempts=_deliveries.c.attempts + bindparam("d_tries"),
        sent_at=bindparam("d_sent_at"),
        finished_at=bindparam("d_finished_at"),
    )
)
_forget = delete(PushSubscription.__table__).where(
    PushSubscription.id == bindparam("s_id"), PushSubscription.version == bindparam("s_version")
)
_handover = insert(OutboxMessage.__table__)


async def record(ctx: JobContext, results: list[Result], later: Sequence[Claim] = ()) -> None:
    """The attempts, new states, forgotten subscriptions and handed-over retries of many deliveries, in one commit;
    and a new push.send for the deliveries in ``later``."""
    now = utcnow()
    attempts: list[dict[str, Any]] = []
    changes: list[dict[str, Any]] = []
    gone: list[dict[str, Any]] = []
    retries: list[dict[str, Any]] = []
    for result in results:
        claim = result.claim
        tries = 0
        for step, at in zip(result.steps, result.at, strict=True):
            if step.counts:
                tries += 1
                attempts.append(
                    {
                        "id": uuid.uuid4(), "delivery_id": claim.delivery_id, "at": at, "status_code": step.status,
                        "outcome": step.outcome, "duration_ms": step.elapsed_ms, "payload_bytes": step.size,
                        "subscription_version": claim.subscription_version, "detail": (step.detail or "")[:500] or None,
                    }
                )  # fmt: skip
            if step.gone:
                gone.append({"s_id": claim.subscription_id, "s_version": claim.subscription_version})
        last = result.steps[-1].status if result.steps else None
        finished = now if result.state is not None else None
        changes.append(
            {
                "d_id": claim.delivery_id, "d_state": result.state or "pending", "d_status": last,
                "d_shrink": claim.shrink, "d_tries": tries, "d_sent_at": now if result.state == "sent" else None,
                "d_finished_at": finished,
            }
        )  # fmt: skip
        if result.retry_s is not None:
            retries.append(
                {
                    "id": uuid.uuid4(), "org_id": claim.org_id, "job": DELIVER_JOB,
                    "job_id": delivery_job_id(claim.delivery_id), "payload": {"delivery_id": str(claim.delivery_id)},
                    "created_at": now,
                    "available_at": now + timedelta(seconds=result.retry_s), "attempts": 0,
                }
            )  # fmt: skip
    if later:
        retries.append(
            {
                "id": uuid.uuid4(), "org_id": later[0].org_id, "job": SEND_JOB, "job_id": f"{SEND_JOB}:{uuid.uuid4()}",
                "payload": {"delivery_ids": [str(c.delivery_id) for c in later]}, "created_at": now,
                "available_at": now, "attempts": 0,
            }
        )  # fmt: skip
    async with ctx.db.engine.begin() as conn:
        if attempts:
            await conn.execute(_attempts, attempts)
        if changes:
            await conn.execute(_update, changes)
        if gone:
            await conn.execute(_forget, gone)
        if retries:
            await conn.execute(_handover, retries)
    for result in results:
        if result.state not in (None, "sent"):
            push.log.info("push delivery %s: %s", result.claim.delivery_id, result.state)
