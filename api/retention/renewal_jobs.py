"""The renewal reminder: when the best week to begin renewal talks has come, the customer's owner is told, once.

Hourly: for each org, its lead time is learned from its past renewals (see renewal_timing); every active contract
whose talks have not begun and whose week has come (in the recipient's time zone) is reminded of once, outside the
recipient's quiet hours (held back until a later run otherwise). The recipient is the customer-success owner, or
the account's owner when there is none. The mark on the contract and the notification are one transaction.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from api.db.models import Account, Contract, User
from api.db.types import utcnow
from api.lib.i18n import t
from api.notifications.service import notify
from api.reminders.quiet import effective, quiet_until, zone
from api.retention.renewal import org_timing
from api.retention.renewal_timing import monday, start_week
from worker.jobs import JobContext, job

REMINDER_TYPE = "reminder.renewal"
TTL_S = 3 * 24 * 3600  # a week-long window: a device offline for a weekend still gets it


def _unreminded(org_id: uuid.UUID | None = None) -> Select[Any]:
    """Active contracts whose renewal talks have not begun and whose owner has not been reminded."""
    stmt = select(Contract).where(
        Contract.status == "active", Contract.renewal_started_on.is_(None), Contract.renewal_reminded_at.is_(None)
    )
    return stmt.where(Contract.org_id == org_id) if org_id else stmt


@job("retention.renewal_reminders", every_s=3600)
async def renewal_reminders(ctx: JobContext, now: datetime | None = None) -> int:
    """Remind owners of the contracts whose renewal week has come; returns how many reminders were sent."""
    now = now or utcnow()
    async with ctx.db.sessionmaker() as session:
        stmt = (
            _unreminded().with_only_columns(Contract.org_id).where(Contract.ends_on >= now.date() - timedelta(days=1))
        )
        org_ids = list((await session.execute(stmt.distinct())).scalars())
    sent = 0
    for org_id in org_ids:
        async with ctx.db.sessionmaker() as session:
            weeks_before = (await org_timing(session, org_id)).weeks_before
            # A day of slack either side of the UTC date covers every time zone; each recipient's own day decides.
            horizon = now.date() + timedelta(weeks=weeks_before + 1, days=1)
            recipient = func.coalesce(Account.cs_owner_id, Account.owner_id)
            stmt = (
                _unreminded(org_id)
                .with_only_columns(Contract.id, User.id)
                .join(Account, Account.id == Contract.account_id)
                .join(User, User.id == recipient)
                .where(
                    Account.deleted_at.is_(None),
                    Account.churned_at.is_(None),
                    User.is_active,
                    Contract.ends_on >= now.date() - timedelta(days=1),
                    Contract.ends_on <= horizon,
                )
            )
            candidates = (await session.execute(stmt)).all()
        for contract_id, user_id in candidates:
            async with ctx.db.sessionmaker() as session:
                if await remind(session, contract_id, user_id, weeks_before, now):
                    await session.commit()
                    sent += 1
    return sent


async def remind(
    session: AsyncSession, contract_id: uuid.UUID, user_id: uuid.UUID, weeks_before: int, now: datetime
) -> bool:
    """Notify the recipient if the contract's week has come and it is not their quiet time; False otherwise."""
    user = await session.get(User, user_id)
    tz = zone(user.timezone)
    today = now.astimezone(tz).date()
    contract = await session.get(Contract, contract_id)
    if contract.ends_on < today:
        return False
    week, overdue = start_week(contract.ends_on, weeks_before, today)
    if week > monday(today) or quiet_until(now, tz, *effective(user.quiet_hours_start, user.quiet_hours_end)):
        return False
    # The mark is taken in the same transaction as the notification: a concurrent run finds it taken and skips.
    marked = await session.execute(
        update(Contract)
        .where(Contract.id == contract_id, Contract.renewal_reminded_at.is_(None))
        .values(renewal_reminded_at=now)
        .execution_options(synchronize_session=False)
    )
    if marked.rowcount != 1:
        return False
    account = await session.get(Account, contract.account_id)
    url = f"/opportunities/{contract.opportunity_id}" if contract.opportunity_id else "/"
    await notify(
        session,
        org_id=contract.org_id,
        user_id=user_id,
        type=REMINDER_TYPE,
        title=t(f"Time to talk renewal: {account.name}", f"该谈续约了：{account.name}"),
        body=t(
            f"“{contract.name}” ends on {contract.ends_on.isoformat()}: past renewals went best when talks began "
            f"{weeks_before} weeks before the end. Begin this week.",
            f"“{contract.name}”将于 {contract.ends_on.isoformat()} 到期：历史上在到期前 {weeks_before} 周开始沟通的"
            f"续约效果最好，请在本周开始续约沟通。",
        ),
        url=url,
        tag=f"renewal:{contract_id}",
        data={
            "contract_id": contract_id,
            "account_id": contract.account_id,
            "ends_on": contract.ends_on.isoformat(),
            "overdue": overdue,
        },
        ttl_s=TTL_S,
    )
    return True
