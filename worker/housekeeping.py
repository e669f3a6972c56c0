"""Routine clean-up jobs."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete

from api.db.models import IdempotencyRecord, LoginAttempt, OutboxMessage
from api.db.types import utcnow
from worker.jobs import JobContext, job

OUTBOX_KEEP = timedelta(days=7)
LOGIN_ATTEMPTS_KEEP = timedelta(days=1)


@job("housekeeping.purge", every_s=3600)
async def purge(ctx: JobContext) -> dict[str, int]:
    """Drop expired idempotency records, old sign-in failures and long-dispatched outbox rows."""
    now = utcnow()
    async with ctx.db.sessionmaker() as session:
        counts = {}
        for name, stmt in (
            ("idempotency", delete(IdempotencyRecord).where(IdempotencyRecord.expires_at < now)),
            ("login_attempts", delete(LoginAttempt).where(LoginAttempt.at < now - LOGIN_ATTEMPTS_KEEP)),
            ("outbox", delete(OutboxMessage).where(OutboxMessage.dispatched_at < now - OUTBOX_KEEP)),
        ):
            counts[name] = (await session.execute(stmt)).rowcount or 0
        await session.commit()
    return counts
