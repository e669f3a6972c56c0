"""Scheduled reminder work: four detectors every 15 minutes, and a delivery pass that also releases held ones.

Every job takes an explicit ``now`` (tests pass it; the scheduler leaves it to the clock) and is idempotent:
detection stores each occurrence once per recipient, delivery moves each reminder out of waiting once.
"""

from __future__ import annotations

import logging
from datetime import datetime

from api.db.types import utcnow
from api.reminders import priorities
from api.reminders.delivery import deliver_one, store, waiting_ids
from api.reminders.detect import DETECTORS
from worker.jobs import JobContext, job

DETECT_EVERY_S = 900
DELIVER_EVERY_S = 300
BATCH = 500
SEND_CHUNK = 50
log = logging.getLogger("fieldloop.reminders")


async def detect(ctx: JobContext, kind: str, now: datetime) -> int:
    """Store the reminders of one kind due at ``now``; returns how many were new."""
    async with ctx.db.sessionmaker() as session:
        created = await store(session, await DETECTORS[kind](session, now), now)
        if kind == "competitor":
            await priorities.recompute(session, now)
        await session.commit()
    return created


async def deliver_due(ctx: JobContext, now: datetime) -> dict[str, int]:
    """Send (or hold, or cancel) every waiting reminder due at ``now``; returns how many went each way.

    Reminders are handled SEND_CHUNK to a transaction, each in a savepoint: one that fails (logged) is left waiting
    for the next run without undoing the others.
    """
    counts = {"sent": 0, "held": 0, "cancelled": 0}
    while True:
        async with ctx.db.sessionmaker() as session:
            ids = await waiting_ids(session, now, BATCH)
        moved = 0
        for start in range(0, len(ids), SEND_CHUNK):
            async with ctx.db.sessionmaker() as session:
                for reminder_id in ids[start : start + SEND_CHUNK]:
                    try:
                        async with session.begin_nested():
                            state = await deliver_one(session, reminder_id, now)
                    except Exception:
                        log.exception("reminder %s could not be delivered; left for the next run", reminder_id)
                        continue
                    if state is not None:
                        counts[state] += 1
                        moved += 1
                await session.commit()
        # What moved left the due set (held ones now wait for a later send_after): a full batch may hide more.
        if len(ids) < BATCH or not moved:
            return counts


async def _run(ctx: JobContext, kind: str, now: datetime | None) -> dict[str, int]:
    now = now or utcnow()
    created = await detect(ctx, kind, now)
    return {"created": created, **await deliver_due(ctx, now)}


@job("reminders.promised_date", every_s=DETECT_EVERY_S)
async def promised_date_job(ctx: JobContext, now: datetime | None = None) -> dict[str, int]:
    """48 hours before a customer-promised feedback date."""
    return await _run(ctx, "promised_date", now)


@job("reminders.silent_customer", every_s=DETECT_EVERY_S)
async def silent_customer_job(ctx: JobContext, now: datetime | None = None) -> dict[str, int]:
    """A customer silent for longer than its usual rhythm."""
    return await _run(ctx, "silent_customer", now)


@job("reminders.competitor", every_s=DETECT_EVERY_S)
async def competitor_job(ctx: JobContext, now: datetime | None = None) -> dict[str, int]:
    """Competitor activity on a deal: remind the owner and raise the deal's priority."""
    return await _run(ctx, "competitor", now)


@job("reminders.stage_dwell", every_s=DETECT_EVERY_S)
async def stage_dwell_job(ctx: JobContext, now: datetime | None = None) -> dict[str, int]:
    """A deal in its stage beyond the stage's 75th-percentile dwell."""
    return await _run(ctx, "stage_dwell", now)


@job("reminders.deliver", every_s=DELIVER_EVERY_S)
async def deliver_job(ctx: JobContext, now: datetime | None = None) -> dict[str, int]:
    """Release held and snoozed reminders whose time has come."""
    return await deliver_due(ctx, now or utcnow())
