"""The churn warning: each retained customer at medium or high risk, pushed to its customer-success owner.

Who is warned: the account's ``cs_owner_id`` when that user is active, else the account owner. Each warning
is sent once per account and risk level within ``REPEAT_AFTER`` (14 days): no warning when the account was
warned at the same or a higher level in that time; a rise from medium to high warns again. A unique
(account, level, day) row guards against two runs warning the same day.

The job checks every hour rather than once a day, so that a warning reaches each person at the first hour
outside their quiet hours (their time zone, api/reminders/quiet.py): a person in quiet hours is simply not
warned in this run, and the next run after their quiet hours does it.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from api.db.models import ChurnWarning, Organisation, User
from api.db.types import utcnow
from api.lib.i18n import t
from api.notifications.service import notify
from api.reminders.quiet import effective, quiet_until, zone
from api.retention.churn import CustomerRecords, Risk, assess
from api.retention.churn_service import org_risks
from api.service_desk.followup import account_url
from worker.jobs import JobContext, job

WARNING_TYPE = "warning.churn"
REPEAT_AFTER = timedelta(days=14)
WARNED_LEVELS = ("medium", "high")
RANK = {"low": 0, "medium": 1, "high": 2}


async def _recipient(session: AsyncSession, rec: CustomerRecords) -> User | None:
    """The customer-success owner when active, else the owner when active."""
    for user_id in (rec.cs_owner_id, rec.owner_id):
        if user_id is None:
            continue
        user = (await session.execute(select(User).where(User.id == user_id, User.is_active))).scalar_one_or_none()
        if user is not None:
            return user
    return None


def _quiet(user: User, now: datetime) -> bool:
    start, end = effective(user.quiet_hours_start, user.quiet_hours_end)
    return quiet_until(now, zone(user.timezone), start, end) is not None


async def _warned_lately(session: AsyncSession, account_id: uuid.UUID, level: str, now: datetime) -> bool:
    stmt = select(ChurnWarning.level).where(
        ChurnWarning.account_id == account_id, ChurnWarning.sent_at > now - REPEAT_AFTER
    )
    return any(RANK[earlier] >= RANK[level] for earlier in (await session.execute(stmt)).scalars())


async def _warn(session: AsyncSession, org_id: uuid.UUID, rec: CustomerRecords, risk: Risk, now: datetime) -> bool:
    """Record and push one warning, unless it was sent lately; never commits."""
    if await _warned_lately(session, rec.account_id, risk.level, now):
        return False
    user = await _recipient(session, rec)
    if user is None or _quiet(user, now):
        return False
    recipient = user.id
    row = ChurnWarning(
        id=uuid.uuid4(), org_id=org_id, account_id=rec.account_id, recipient_id=recipient, level=risk.level,
        score=risk.score, sent_on=now.date(), sent_at=now,
    )  # fmt: skip
    try:
        async with session.begin_nested():
            session.add(row)
            await session.flush()
    except IntegrityError:
        return False  # another run warned today
    top = [r.signal.text for r in risk.reasons[:2] if r.signal.text]
    level = {"high": ("high", "高"), "medium": ("medium", "中")}[risk.level]
    score = risk.score
    await notify(
        session,
        org_id=org_id,
        user_id=recipient,
        type=WARNING_TYPE,
        title=t(f"Churn risk {score}/100 ({level[0]}): {rec.name}", f"流失风险 {score}/100（{level[1]}）：{rec.name}"),
        body=t(" ".join(x["en"] for x in top), "".join(x["zh"] for x in top)),
        url=account_url(rec.account_id),
        tag=f"churn:{rec.account_id}",
        data={"account_id": rec.account_id, "score": risk.score, "level": risk.level,
              "factors": [r.signal.factor for r in risk.reasons]},
        urgency="high" if risk.level == "high" else "normal",
    )  # fmt: skip
    return True


@job("retention.churn_warnings", every_s=3600)
async def warn_churn_risks(ctx: JobContext, now: datetime | None = None) -> int:
    """Warn about each retained customer at risk, once; each org in its own transaction; returns how many."""
    now = now or utcnow()
    async with ctx.db.sessionmaker() as session:
        org_ids = list((await session.execute(select(Organisation.id).order_by(Organisation.id))).scalars())
    sent = 0
    for org_id in org_ids:
        async with ctx.db.sessionmaker() as session:
            records, profile = await org_risks(session, org_id, now)
            for rec in sorted(records.values(), key=lambda r: str(r.account_id)):
                if not rec.is_customer or rec.churned_at is not None:
                    continue
                risk = assess(rec, now, profile)
                if risk.level in WARNED_LEVELS and await _warn(session, org_id, rec, risk, now):
                    sent += 1
            await session.commit()
    return sent
