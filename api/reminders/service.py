"""The caller's reminders (list, dismiss, snooze), their quiet hours, and deal priorities."""

from __future__ import annotations

import uuid
from datetime import datetime, time, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from api.db.models import DealPriority, Opportunity, Reminder, User
from api.db.types import utcnow
from api.lib.auth import Principal
from api.lib.concurrency import check_version, stale
from api.lib.errors import conflict, field_error, not_found
from api.lib.i18n import render, t
from api.lib.pagination import keyset_page
from api.lib.schema import provided
from api.lib.scope import get_visible, visible
from api.reminders.delivery import WAITING, reminder_url
from api.reminders.quiet import effective
from api.reminders.schemas import Preferences, PreferencesUpdate, PriorityOut, ReminderOut, SnoozeIn
from api.reminders.texts import reason_of, title_of

CLOSED = t("This reminder no longer applies.", "该提醒已失效。")


def reminder_out(row: Reminder, locale: str) -> ReminderOut:
    """A reminder as its recipient reads it, in their language."""
    params = row.params or {}
    return ReminderOut(
        id=row.id,
        kind=row.kind,  # type: ignore[arg-type]
        type=f"reminder.{row.kind}",
        state=row.state,  # type: ignore[arg-type]
        opportunity_id=row.opportunity_id,
        account_id=row.account_id,
        title=render(title_of(row.kind, params), locale),
        reason=render(reason_of(row.kind, params), locale),
        url=reminder_url(row.opportunity_id),
        due_at=row.due_at,
        send_after=row.send_after if row.state in WAITING else None,
        sent_at=row.sent_at,
        sent_count=row.sent_count,
        created_at=row.created_at,
    )


def _clock(value: time) -> str:
    return value.strftime("%H:%M")


def _parse_clock(value: str | None) -> time | None:
    return None if value is None else time.fromisoformat(value)


class ReminderService:
    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        self.session = session
        self.principal = principal

    async def page(self, state: str | None, limit: int, cursor: str | None) -> tuple[list[Reminder], str | None]:
        """The caller's own reminders, latest due first; dismissed and cancelled ones only when asked for."""
        mine = (Reminder.user_id == self.principal.user_id, Reminder.org_id == self.principal.org_id)
        stmt = select(Reminder).where(*mine)
        if state is None:
            stmt = stmt.where(Reminder.state.in_((*WAITING, "sent")))
        else:
            stmt = stmt.where(Reminder.state == state)
        return await keyset_page(self.session, stmt, Reminder.due_at, cursor, limit)

    async def _own(self, reminder_id: uuid.UUID) -> Reminder:
        row = (
            await self.session.execute(
                select(Reminder).where(Reminder.id == reminder_id, Reminder.user_id == self.principal.user_id)
            )
        ).scalar_one_or_none()
        if row is None:
            raise not_found()
        return row

    async def _change(self, row: Reminder, **values: object) -> Reminder:
        result = await self.session.execute(
            update(Reminder)
            .where(Reminder.id == row.id, Reminder.version == row.version)
            .values(version=row.version + 1, updated_at=utcnow(), **values)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:  # the delivery pass moved it meanwhile
            raise conflict("write-conflict", t("The reminder changed meanwhile; retry.", "提醒已变化，请重试。"))
        await self.session.refresh(row)
        return row

    async def dismiss(self, reminder_id: uuid.UUID) -> Reminder:
        """Never send it (again); dismissing twice is the same as once."""
        row = await self._own(reminder_id)
        if row.state == "dismissed":
            return row
        if row.state == "cancelled":
            raise conflict("reminder-closed", CLOSED)
        return await self._change(row, state="dismissed")

    async def snooze(self, reminder_id: uuid.UUID, data: SnoozeIn, now: datetime | None = None) -> Reminder:
        """Remind again after the given minutes (quiet hours still apply then)."""
        row = await self._own(reminder_id)
        if row.state in ("dismissed", "cancelled"):
            raise conflict("reminder-closed", CLOSED)
        return await self._change(row, state="snoozed", send_after=(now or utcnow()) + timedelta(minutes=data.minutes))

    async def _me(self) -> User:
        return (await self.session.execute(select(User).where(User.id == self.principal.user_id))).scalar_one()

    async def preferences(self) -> Preferences:
        user = await self._me()
        start, end = effective(user.quiet_hours_start, user.quiet_hours_end)
        p = self.principal
        return Preferences(
            id=p.user_id,
            email=p.email,
            name=p.name,
            org_id=p.org_id,
            team_id=p.team_id,
            manager_id=p.manager_id,
            roles=list(p.roles),
            locale=p.locale,
            timezone=p.timezone,
            quiet_hours_start=_clock(start),
            quiet_hours_end=_clock(end),
            version=user.preferences_version,
        )

    async def update_preferences(self, expected_version: int, data: PreferencesUpdate) -> Preferences:
        """Set the caller's quiet hours; the version guards against a lost update from another device."""
        user = await self._me()
        check_version(expected_version, user.preferences_version)
        changes = {name: _parse_clock(value) for name, value in provided(data).items()}  # type: ignore[arg-type]
        start = changes.get("quiet_hours_start", user.quiet_hours_start)
        start, end = effective(start, changes.get("quiet_hours_end", user.quiet_hours_end))
        if start == end:
            raise field_error(
                "quiet_hours_end",
                "same_as_start",
                t("Quiet hours must end at another time than they start.", "免打扰结束时间不能与开始时间相同。"),
            )
        result = await self.session.execute(
            update(User)
            .where(User.id == user.id, User.preferences_version == expected_version)
            .values(preferences_version=expected_version + 1, **changes)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:
            raise stale()
        await self.session.refresh(user)
        return await self.preferences()

    async def priorities(self, limit: int, cursor: str | None) -> tuple[list[DealPriority], str | None]:
        """Deals within the caller's reach whose priority competitor activity has raised, latest signal first."""
        stmt = visible(
            select(DealPriority).join(Opportunity, Opportunity.id == DealPriority.opportunity_id),
            Opportunity,
            self.principal,
        ).where(DealPriority.boost > 0)
        return await keyset_page(self.session, stmt, DealPriority.last_signal_at, cursor, limit)

    async def priority(self, opportunity_id: uuid.UUID) -> PriorityOut:
        """One deal's priority boost (0 when nothing raised it); 404 when the deal is out of reach."""
        await get_visible(self.session, Opportunity, opportunity_id, self.principal)
        row = (
            await self.session.execute(select(DealPriority).where(DealPriority.opportunity_id == opportunity_id))
        ).scalar_one_or_none()
        if row is None:
            return PriorityOut(opportunity_id=opportunity_id, boost=0, competitors=[], last_signal_at=None)
        return priority_out(row)


def priority_out(row: DealPriority) -> PriorityOut:
    return PriorityOut(
        opportunity_id=row.opportunity_id,
        boost=row.boost,
        competitors=list(row.competitors or []),
        last_signal_at=row.last_signal_at,
    )
