"""The manager's follow-up task when a customer complains or a case is escalated: created once, and pushed.

Who follows up: the account owner's manager (``User.manager_id``) when active; otherwise an active manager
of the owner's team; otherwise the org's first active admin (by email); as a last resort the owner.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from api.db.models import Account, SupportCase, Task, User
from api.lib.i18n import DEFAULT_LOCALE, normalise_locale, render, t
from api.notifications.service import notify

TASK_TYPE = "task.assigned"
_SEVERITY = {
    "low": t("Low severity. Please step in with this customer.", "严重程度：低。请您介入跟进该客户。"),
    "normal": t("Normal severity. Please step in with this customer.", "严重程度：一般。请您介入跟进该客户。"),
    "high": t("High severity. Please step in with this customer soon.", "严重程度：高。请尽快介入跟进该客户。"),
    "critical": t("Critical. Please step in with this customer now.", "严重程度：紧急。请立即介入跟进该客户。"),
}


def followup_key(case_id: uuid.UUID) -> str:
    """One follow-up per case: recording a complaint and later escalating it never makes a second task."""
    return f"support_case:{case_id}:followup"


def account_url(account_id: uuid.UUID) -> str:
    return f"/accounts/{account_id}"


async def _active(session: AsyncSession, org_id: uuid.UUID, user_id: uuid.UUID | None) -> uuid.UUID | None:
    if user_id is None:
        return None
    stmt = select(User.id).where(User.id == user_id, User.org_id == org_id, User.is_active)
    return (await session.execute(stmt)).scalar_one_or_none()


async def _with_role(session: AsyncSession, org_id: uuid.UUID, role: str, **where: object) -> list[User]:
    stmt = select(User).where(User.org_id == org_id, User.is_active).filter_by(**where).order_by(User.email)
    # Roles are a JSON list; filtering it in Python keeps the query the same on SQLite and PostgreSQL.
    return [u for u in (await session.execute(stmt)).scalars() if role in (u.roles or ())]


async def follow_up_person(session: AsyncSession, account: Account) -> uuid.UUID:
    """Who is asked to step in for this account (see the module's docstring for the order)."""
    owner = (await session.execute(select(User).where(User.id == account.owner_id))).scalar_one()
    if manager := await _active(session, account.org_id, owner.manager_id):
        return manager
    if owner.team_id is not None:
        for user in await _with_role(session, account.org_id, "manager", team_id=owner.team_id):
            if user.id != owner.id:
                return user.id
    admins = await _with_role(session, account.org_id, "admin")
    return admins[0].id if admins else owner.id


async def ensure_followup(
    session: AsyncSession, case: SupportCase, account: Account, *, escalated: bool, reason: str | None = None
) -> Task | None:
    """The case's follow-up task and its notification, unless the case already has one; never commits."""
    key = followup_key(case.id)
    if (await session.execute(select(Task.id).where(Task.dedup_key == key))).scalar_one_or_none() is not None:
        return None
    assignee = await follow_up_person(session, account)
    locale = (await session.execute(select(User.locale).where(User.id == assignee))).scalar_one()
    if escalated:
        title = t(f"Escalated case at {account.name}: {case.subject}", f"{account.name} 升级工单：{case.subject}")
    else:
        title = t(f"Complaint from {account.name}: {case.subject}", f"{account.name} 投诉：{case.subject}")
    task = Task(
        id=uuid.uuid4(),
        org_id=account.org_id,
        assignee_id=assignee,
        title=render(title, normalise_locale(locale) or DEFAULT_LOCALE)[:300],  # the assignee reads it
        detail=reason or case.detail,
        subject_type="support_case",
        subject_id=case.id,
        dedup_key=key,
        account_id=account.id,
        due_at=case.sla_due_at,
    )
    try:
        async with session.begin_nested():
            session.add(task)
            await session.flush()
    except IntegrityError:
        return None  # a concurrent request created it first
    await notify(
        session,
        org_id=account.org_id,
        user_id=assignee,
        type=TASK_TYPE,
        title={"en": title["en"][:300], "zh": title["zh"][:300]},
        body=_SEVERITY[case.severity],
        url=account_url(account.id),
        tag=f"task:{task.id}",
        data={"task_id": task.id, "case_id": case.id, "account_id": account.id, "kind": case.kind},
        urgency="high" if case.severity in ("high", "critical") else "normal",
    )
    return task
