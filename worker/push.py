"""The ``push.deliver`` job: one notification to one device, over Web Push (RFC 8030/8291/8292).

A run reads what it needs without holding a write lock, checks that the delivery is still pending (so running
the job again sends nothing again), sends, and records the request and its outcome in one short transaction:
a success is committed right after the push service's 201. Responses are handled as push services expect:
404/410 end the subscription (unless it was replaced meanwhile), 413 retries at once with a smaller payload,
429 waits for Retry-After, 5xx and network errors back off exponentially with full jitter until the
notification's TTL runs out. Two runs of one delivery at the same moment are prevented upstream: the outbox
row is leased by one relay and arq runs one job per job id ``push:<delivery_id>``.
"""

from __future__ import annotations

import base64
import email.utils
import functools
import hashlib
import logging
import random
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
from sqlalchemy import delete, insert, update
from webpush import WebPush, WebPushSubscription
from webpush.types import WebPushKeys

from api.db.models import Notification, PushAttempt, PushDelivery, PushSubscription
from api.db.types import utcnow
from api.notifications.endpoints import EndpointRefused, Target, policy_for
from api.notifications.payload import SHRINK_LEVELS, PayloadAction, PushPayload, encode_payload
from api.notifications.service import DELIVER_JOB
from api.notifications.vapid import VapidIdentity, load_identity, subject_for
from worker.arq_worker import MAX_TRIES
from worker.jobs import JobContext, RetryLater, job
from worker.push_http import PushClient, PushNetworkError

log = logging.getLogger("fieldloop.push")
BACKOFF_BASE_S = 2.0
BACKOFF_CAP_S = 3600.0
DELIVERED = frozenset({200, 201, 202})
GONE = frozenset({404, 410})


@dataclass
class Claim:
    """What one run needs to send a delivery (read once, without a write lock)."""

    delivery_id: uuid.UUID
    subscription_id: uuid.UUID
    subscription_version: int
    endpoint: str
    p256dh: str
    auth: str
    payload: PushPayload
    urgency: str
    shrink: int
    expires_at: datetime
    subject: str
    org_id: uuid.UUID | None = None
    # The payload's bytes per shrink level, shared by the deliveries of one notification (encoded once for all).
    bodies: dict[int, bytes] = field(default_factory=dict)


@functools.lru_cache(maxsize=4096)
def topic_for(tag: str) -> str:
    """RFC 8030 Topic (at most 32 base64url characters): one per tag, so a newer message replaces an older one."""
    return base64.urlsafe_b64encode(hashlib.sha256(tag.encode()).digest()[:24]).decode()


_sealers: dict[int, WebPush] = {}


def seal(
    identity: VapidIdentity, body: bytes, endpoint: str, p256dh: str, auth: str, audience: str, subject: str
) -> tuple[bytes, str]:
    """Encrypt ``body`` for the subscriber (aes128gcm, RFC 8291, by webpush) and sign the VAPID header for ``audience``.

    webpush's encryption is called without its ``get()``, which would also sign a VAPID JWT of its own for every
    message (one that is not sent: its ``aud`` drops a non-default port, and its ``sub`` must be an email). The
    RFC 8291 vector test pins the bytes. The subscription's keys were checked when it was saved.
    """
    sealer = _sealers.get(id(identity))
    if sealer is None:
        sealer = _sealers[id(identity)] = WebPush(identity.private_pem, identity.public_pem)
    keys = WebPushKeys.model_construct(auth=auth, p256dh=p256dh)
    encrypted = sealer._encrypt(body, WebPushSubscription.model_construct(endpoint=endpoint, keys=keys))
    return encrypted, identity.authorization(audience, subject)


def retry_after_s(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


def backoff_s(attempt: int, remaining_s: float) -> float:
    """Full-jitter exponential backoff, stretched near the end so that the runner's tries last as long as the TTL.

    arq gives a job MAX_TRIES runs. The floor ``remaining / 2**(tries_left - 1)`` is negligible early on and
    reaches the whole remaining TTL on the last try, so retries go on until the TTL runs out, not the tries.
    """
    jitter = random.uniform(0, min(BACKOFF_CAP_S, BACKOFF_BASE_S * 2 ** min(attempt, 30)))
    tries_left = max(MAX_TRIES - attempt, 1)
    return max(jitter, remaining_s / 2 ** (tries_left - 1))


def push_client(ctx: JobContext) -> PushClient:
    """The worker's pooled push client (created on first use, closed with the worker)."""
    client = ctx.shared.get("push_client")
    if client is None:
        client = ctx.shared["push_client"] = PushClient()
    return client


@dataclass
class Step:
    """One try of a delivery and what it leads to: an attempt to record, and a new state or a retry."""

    status: int | None
    outcome: str
    elapsed_ms: int = 0
    size: int = 0
    detail: str | None = None
    state: str | None = None  # the delivery's new state; None keeps it pending
    again: bool = False  # 413: send again at once, smaller
    retry_s: float | None = None  # send again after this many seconds
    gone: bool = False  # the push service says the subscription is gone

    @property
    def counts(self) -> bool:
        """Whether this try is an attempt (a request left, or was refused before it could)."""
        return self.status is not None or self.outcome in ("network_error", "refused")


async def attempt(ctx: JobContext, claim: Claim, identity: VapidIdentity, attempt_no: int) -> Step:
    """Send the delivery once, as it stands (``claim.shrink``), and classify the answer; records nothing."""
    now = utcnow()
    remaining = (claim.expires_at - now).total_seconds()
    if remaining <= 0:
        return Step(None, "expired", state="expired")
    try:
        target = await policy_for(ctx.settings.push_allowed_hosts).target(claim.endpoint)
    except EndpointRefused as refused:  # the allow-list changed, or the name now points somewhere private
        return Step(None, "refused", state="failed", detail=refused.code)
    body = claim.bodies.get(claim.shrink)
    if body is None:
        body = claim.bodies[claim.shrink] = encode_payload(claim.payload, shrink=claim.shrink)
    encrypted, authorization = seal(
        identity, body, claim.endpoint, claim.p256dh, claim.auth, target.origin, claim.subject
    )
    started = time.perf_counter()
    status, response_headers, error = await _post(
        push_client(ctx), target, encrypted, authorization, claim, int(remaining)
    )
    elapsed_ms, size = int((time.perf_counter() - started) * 1000), len(body)
    step = Step(status, "sent", elapsed_ms, size)
    if status in DELIVERED:
        step.state = "sent"
    elif status in GONE:
        step.outcome, step.state, step.gone = "gone", "gone", True
    elif status == 413:
        step.outcome = "too_large"
        if claim.shrink >= SHRINK_LEVELS:
            step.state = "failed"
        else:
            step.again = True  # at once, smaller
    elif status == 429:
        wait = retry_after_s(response_headers.get("retry-after"), utcnow())
        step.outcome, step.retry_s = (
            "rate_limited",
            backoff_s(attempt_no, remaining) if wait is None else max(wait, 1.0),
        )
    elif status is None or status >= 500:
        step.outcome = "network_error" if status is None else "server_error"
        step.retry_s, step.detail = backoff_s(attempt_no, remaining), error
    else:  # any other answer (400 malformed, 401/403 VAPID refused) will not change by sending again
        step.outcome, step.state, step.detail = "rejected", "failed", error
    if step.retry_s is not None and step.retry_s >= remaining:
        step.retry_s, step.state = None, "expired"  # the next try could only find the notification outdated
    return step


@job(DELIVER_JOB)
async def deliver(ctx: JobContext, delivery_id: str) -> str:
    """Send one delivery; returns its state afterwards (raises RetryLater to be run again).

    The path of retries (429, 5xx, network errors) and of deliveries queued one by one; a notification's
    deliveries go out together through ``push.send`` (worker/push_batch.py).
    """
    claim = await _load(ctx, uuid.UUID(delivery_id))
    if isinstance(claim, str):
        return claim
    return await _send(ctx, claim)


# One hand-written read per push, on the database's fast read path (no ORM, and on SQLite no thread hop): at
# fan-out rates the ORM and the driver's thread cost more than the encryption.
_LOAD_SQL = """
SELECT d.state, d.shrink, d.expires_at, n.org_id, n.type, n.title, n.body, n.url, n.tag, n.lang, n.actions,
       n.action_token, n.data, n.urgency, s.id, s.version, s.endpoint, s.p256dh, s.auth
FROM push_deliveries d
JOIN notifications n ON n.id = d.notification_id
LEFT JOIN push_subscriptions s ON s.id = d.subscription_id
WHERE d.id = ?
"""


def _json(value: Any) -> Any:
    return msgspec.json.decode(value) if isinstance(value, str | bytes) else value


def _instant(value: Any) -> datetime:
    if isinstance(value, str):  # SQLite keeps instants as ISO_UTC text, which fromisoformat reads
        return datetime.fromisoformat(value)
    return value.astimezone(UTC)


async def _load(ctx: JobContext, delivery_id: uuid.UUID) -> Claim | str:
    """What to send, read without taking SQLite's write lock; or the delivery's state when there is nothing to do."""
    now = utcnow()
    key = str(delivery_id) if ctx.db.dialect == "sqlite" else delivery_id
    rows = await ctx.db.reader.fetch(_LOAD_SQL, [key])
    if not rows:
        return "missing"
    (state, shrink, expires, org_id, type_, title, body, url, tag, lang, actions, token, data, urgency,
     subscription_id, version, endpoint, p256dh, auth) = rows[0]  # fmt: skip
    if state != "pending":
        return state  # done already: a repeated run sends nothing
    expires_at = _instant(expires)
    if subscription_id is None or expires_at <= now:
        state = "cancelled" if subscription_id is None else "expired"  # unsubscribed or signed out meanwhile
        async with ctx.db.engine.begin() as conn:
            await conn.execute(
                update(PushDelivery.__table__)
                .where(PushDelivery.id == delivery_id, PushDelivery.state == "pending")
                .values(state=state, finished_at=now)
            )
        return state
    identity = load_identity(ctx.settings)
    payload = PushPayload(
        type=type_, title=title, body=body, url=url, tag=tag, lang=lang,
        actions=[PayloadAction(a["action"], a["title"]) for a in _json(actions) or ()],
        action_token=token, data=_json(data) or {},
    )  # fmt: skip
    return Claim(
        delivery_id=delivery_id,
        subscription_id=uuid.UUID(str(subscription_id)),
        subscription_version=version,
        endpoint=endpoint,
        p256dh=p256dh,
        auth=auth,
        payload=payload,
        urgency=urgency,
        shrink=shrink,
        expires_at=expires_at,
        subject=await subject_for(ctx.db.sessionmaker, ctx.settings, identity, uuid.UUID(str(org_id))),
        org_id=uuid.UUID(str(org_id)),
    )


async def _send(ctx: JobContext, claim: Claim) -> str:
    """Send until there is an answer to keep: each attempt and the new state committed together, as they come."""
    identity = load_identity(ctx.settings)
    while True:
        step = await attempt(ctx, claim, identity, ctx.attempt)
        if step.gone:
            await _forget_subscription(ctx, claim)
        state = await _record(
            ctx, claim, step.status, step.outcome, step.elapsed_ms, step.size, state=step.state, detail=step.detail
        )
        if step.retry_s is not None:
            raise RetryLater(step.retry_s, f"push {step.outcome} ({step.status}); retry in {step.retry_s:.1f}s")
        if not step.again:
            return state
        claim.shrink += 1


def push_headers(target: Target, authorization: str, claim: Claim, ttl: int) -> dict[str, str]:
    """The request headers of a push (RFC 8030 TTL, Urgency and Topic; RFC 8291 encoding; RFC 8292 VAPID)."""
    return {
        **target.headers,
        "TTL": str(max(ttl, 0)),
        "Urgency": claim.urgency,
        "Topic": topic_for(claim.payload.tag),
        "Content-Encoding": "aes128gcm",
        "Content-Type": "application/octet-stream",
        "Authorization": authorization,
    }


async def _post(
    client: PushClient, target: Target, encrypted: bytes, authorization: str, claim: Claim, ttl: int
) -> tuple[int | None, dict[str, str], str | None]:
    try:
        answer = await client.post(target, encrypted, push_headers(target, authorization, claim, ttl))
    except PushNetworkError as exc:
        return None, {}, str(exc)
    detail = None if answer.status in DELIVERED else answer.body[:300].decode(errors="replace") or None
    return answer.status, {k.lower(): v for k, v in answer.headers.items()}, detail


async def _record(
    ctx: JobContext,
    claim: Claim,
    status: int | None,
    outcome: str,
    elapsed_ms: int,
    size: int,
    *,
    state: str | None = None,
    detail: str | None = None,
) -> str:
    """One attempt and the delivery's new state, committed together; without a state the delivery stays pending."""
    now = utcnow()
    values: dict[str, Any] = {"last_status": status, "shrink": claim.shrink}
    if state is not None:
        values.update(state=state, finished_at=now)
        if state == "sent":
            values["sent_at"] = now
    deliveries = PushDelivery.__table__
    async with ctx.db.engine.begin() as conn:  # a Core transaction: no ORM session needed for two statements
        if status is not None or outcome in ("network_error", "refused"):
            values["attempts"] = deliveries.c.attempts + 1
            await conn.execute(
                insert(PushAttempt.__table__).values(
                    id=uuid.uuid4(), delivery_id=claim.delivery_id, at=now, status_code=status, outcome=outcome,
                    duration_ms=elapsed_ms, payload_bytes=size, subscription_version=claim.subscription_version,
                    detail=(detail or "")[:500] or None,
                )
            )  # fmt: skip
        await conn.execute(
            update(deliveries)
            .where(deliveries.c.id == claim.delivery_id, deliveries.c.state == "pending")
            .values(**values)
        )
    if state is not None and state != "sent":
        log.info("push delivery %s: %s (%s)", claim.delivery_id, state, status)
    return state or "pending"


async def _forget_subscription(ctx: JobContext, claim: Claim) -> None:
    """The push service says the subscription is gone: delete it, unless it was replaced since this send."""
    async with ctx.db.engine.begin() as conn:
        await conn.execute(
            delete(PushSubscription.__table__).where(
                PushSubscription.id == claim.subscription_id,
                PushSubscription.version == claim.subscription_version,
            )
        )


NOTIFICATIONS_KEEP = timedelta(days=90)


@job("push.purge", every_s=3600)
async def purge(ctx: JobContext) -> dict[str, int]:
    """Drop action tokens once their notification has expired; notifications (and deliveries) after 90 days."""
    now = utcnow()
    notifications = Notification.__table__
    async with ctx.db.engine.begin() as conn:
        tokens = await conn.execute(
            update(notifications)
            .where(notifications.c.expires_at < now, notifications.c.action_token.is_not(None))
            .values(action_token=None)
        )
        old = await conn.execute(delete(notifications).where(notifications.c.created_at < now - NOTIFICATIONS_KEEP))
    return {"tokens": tokens.rowcount or 0, "notifications": old.rowcount or 0}
