"""Storing due reminders once, and sending them through notify() outside the recipient's quiet hours."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from api.db.models import Activity, Opportunity, Reminder, Stage, StageHistory, User
from api.notifications.service import notify
from api.reminders.detect import Candidate
from api.reminders.quiet import effective, quiet_until, zone
from api.reminders.texts import reason_of, title_of

WAITING = ("pending", "held", "snoozed")
KEY_CHUNK = 500
TTL_S = 24 * 3600  # a reminder nobody's device picked up within a day is history, not news


def reminder_url(opportunity_id: uuid.UUID) -> str:
    return f"/opportunities/{opportunity_id}"


async def store(session: AsyncSession, candidates: Sequence[Candidate], now: datetime) -> int:
    """Insert the candidates not stored before (per recipient and occurrence); returns how many were new."""
    stored: set[tuple[uuid.UUID, str]] = set()
    keys = sorted({c.dedup_key for c in candidates})
    for start in range(0, len(keys), KEY_CHUNK):
        # Every run after the first finds its candidates stored already: one read instead of an insert each.
        rows = await session.execute(
            select(Reminder.user_id, Reminder.dedup_key).where(Reminder.dedup_key.in_(keys[start : start + KEY_CHUNK]))
        )
        stored.update((user_id, key) for user_id, key in rows)
    fresh = [c for c in candidates if (c.user_id, c.dedup_key) not in stored]
    if not fresh:
        return 0
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    created = 0
    for c in fresh:  # a concurrent run may store the same ones meanwhile: the unique key lets one win
        stmt = (
            insert(Reminder)
            .values(
                id=uuid.uuid4(),
                org_id=c.org_id,
                user_id=c.user_id,
                kind=c.kind,
                dedup_key=c.dedup_key,
                opportunity_id=c.opportunity_id,
                account_id=c.account_id,
                state="pending",
                due_at=c.due_at,
                send_after=min(c.due_at, now),
                sent_count=0,
                params=c.params,
                version=1,
                created_at=now,
                updated_at=now,
            )
            .on_conflict_do_nothing(index_elements=["dedup_key", "user_id"])
        )
        created += (await session.execute(stmt)).rowcount or 0
    return created


async def _still_true(session: AsyncSession, reminder: Reminder, deal: Opportunity) -> bool:
    """Whether what the reminder says still holds when it is about to go out (it may have waited overnight)."""
    params: dict[str, Any] = reminder.params or {}
    kind_of_stage = (
        await session.execute(select(Stage.kind).where(Stage.org_id == deal.org_id, Stage.key == deal.stage))
    ).scalar_one_or_none()
    if deal.deleted_at is not None or kind_of_stage != "open" or deal.owner_id != reminder.user_id:
        return False
    if reminder.kind == "promised_date":
        return deal.promised_date is not None and deal.promised_date.isoformat() == params.get("promised_date")
    if reminder.kind == "silent_customer":
        last = datetime.fromisoformat(params["last_inbound_at"])
        later = await session.execute(
            select(func.count())
            .select_from(Activity)
            .where(Activity.account_id == deal.account_id, Activity.direction == "inbound", Activity.occurred_at > last)
        )
        return later.scalar_one() == 0
    if reminder.kind == "stage_dwell":
        stay_id = uuid.UUID(params["stay_id"])
        stay = await session.execute(select(StageHistory.left_at).where(StageHistory.id == stay_id))
        return stay.one_or_none() == (None,)
    return True


async def _move(session: AsyncSession, reminder: Reminder, **values: Any) -> bool:
    """Change a reminder's state unless someone else changed it first (its version guards the update)."""
    result = await session.execute(
        update(Reminder)
        .where(Reminder.id == reminder.id, Reminder.version == reminder.version)
        .values(version=reminder.version + 1, **values)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


async def deliver_one(session: AsyncSession, reminder_id: uuid.UUID, now: datetime) -> str | None:
    """Send one waiting reminder if it is due and outside quiet hours; returns its new state (None: unchanged)."""
    row = (
        await session.execute(
            select(Reminder, User, Opportunity)
            .join(User, User.id == Reminder.user_id)
            .join(Opportunity, Opportunity.id == Reminder.opportunity_id)
            .where(Reminder.id == reminder_id)
        )
    ).one_or_none()
    if row is None:
        return None
    reminder, user, deal = row
    if reminder.state not in WAITING or reminder.send_after > now:
        return None
    if not user.is_active or not await _still_true(session, reminder, deal):
        return "cancelled" if await _move(session, reminder, state="cancelled", updated_at=now) else None
    start, end = effective(user.quiet_hours_start, user.quiet_hours_end)
    held_until = quiet_until(now, zone(user.timezone), start, end)
    if held_until is not None:
        moved = await _move(session, reminder, state="held", send_after=held_until, updated_at=now)
        return "held" if moved else None
    sent = await _move(session, reminder, state="sent", sent_at=now, sent_count=reminder.sent_count + 1, updated_at=now)
    if not sent:
        return None
    params = reminder.params or {}
    notification = await notify(
        session,
        org_id=reminder.org_id,
        user_id=reminder.user_id,
        type=f"reminder.{reminder.kind}",
        title=title_of(reminder.kind, params),
        body=reason_of(reminder.kind, params),
        url=reminder_url(reminder.opportunity_id),
        tag=f"reminder:{reminder.kind}:{reminder.opportunity_id}",
        data={"reminder_id": reminder.id, "kind": reminder.kind, "opportunity_id": reminder.opportunity_id},
        ttl_s=TTL_S,
    )
    await session.execute(
        update(Reminder)
        .where(Reminder.id == reminder.id)
        .values(notification_id=notification.id)
        .execution_options(synchronize_session=False)
    )
    return "sent"


async def waiting_ids(session: AsyncSession, now: datetime, limit: int) -> list[uuid.UUID]:
    """The reminders due to be sent (or re-checked) at ``now``, oldest first."""
    stmt = (
        select(Reminder.id)
        .where(Reminder.state.in_(WAITING), Reminder.send_after <= now)
        .order_by(Reminder.send_after, Reminder.id)
        .limit(limit)
    )
    return list((await session.execute(stmt)).scalars())
