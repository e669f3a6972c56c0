"""Scheduled scoring work: retraining every org's win model once a day."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from api.db.models import Organisation
from api.db.types import utcnow
from api.scoring.training import train_org
from worker.jobs import JobContext, job

DAY_S = 86400


@job("scoring.retrain", every_s=DAY_S)
async def retrain_all(ctx: JobContext, now: datetime | None = None) -> dict[str, int]:
    """Retrain each org's model in its own transaction (idempotent: the model is replaced); counts by outcome."""
    now = now or utcnow()
    async with ctx.db.sessionmaker() as session:
        org_ids = list((await session.execute(select(Organisation.id))).scalars())
    counts = {"trained": 0, "too_few": 0}
    for org_id in org_ids:
        async with ctx.db.sessionmaker() as session:
            status, _ = await train_org(session, org_id, now)
            await session.commit()
        counts[status] += 1
    return counts
