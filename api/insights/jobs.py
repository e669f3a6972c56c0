"""Scheduled insight work: the weekly forecast snapshots, and bottleneck alerts to team managers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from api.db.models import Organisation
from api.db.types import utcnow
from api.insights.bottlenecks import alert_managers
from api.insights.records import org_stages
from api.insights.snapshots import take_snapshots
from worker.jobs import JobContext, job


@job("insights.forecast_snapshots", every_s=3600)
async def snapshot_forecasts(ctx: JobContext, now: datetime | None = None) -> int:
    """Each org's weekly snapshots once due (Monday 06:00 org-local); hourly, so a missed hour only delays them."""
    now = now or utcnow()
    async with ctx.db.sessionmaker() as session:
        orgs = list((await session.execute(select(Organisation.id))).scalars())
    written = 0
    for org_id in orgs:
        async with ctx.db.sessionmaker() as session:
            org = await session.get(Organisation, org_id)
            if org is not None:
                written += await take_snapshots(session, org, now)
                await session.commit()
    return written


@job("insights.bottlenecks", every_s=86400)
async def alert_bottlenecks(ctx: JobContext, now: datetime | None = None) -> int:
    """Daily: notify team managers of new bottleneck flags (each flag at most once a week); how many were sent."""
    now = now or utcnow()
    async with ctx.db.sessionmaker() as session:
        orgs = list((await session.execute(select(Organisation.id))).scalars())
    sent = 0
    for org_id in orgs:
        async with ctx.db.sessionmaker() as session:
            sent += await alert_managers(session, org_id, await org_stages(session, org_id), now)
            await session.commit()
    return sent
