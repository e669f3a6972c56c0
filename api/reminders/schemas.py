"""Reminders, the caller's preferences (quiet hours) and deal priorities over HTTP."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

import msgspec

from api.lib.schema import Out, Schema

ReminderKind = Literal["promised_date", "silent_customer", "competitor", "stage_dwell"]
ReminderState = Literal["pending", "held", "snoozed", "sent", "dismissed", "cancelled"]
ClockTime = Annotated[
    str, msgspec.Meta(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$", description="Local time HH:MM", examples=["22:00"])
]


class ReminderOut(Out, kw_only=True):
    id: uuid.UUID
    kind: ReminderKind
    type: str
    state: ReminderState
    opportunity_id: uuid.UUID
    account_id: uuid.UUID | None
    title: str
    reason: str
    url: str
    due_at: datetime
    # When a waiting reminder will go out (the end of quiet hours or of a snooze); None once it has left.
    send_after: datetime | None
    sent_at: datetime | None
    sent_count: int
    created_at: datetime


class SnoozeIn(Schema, kw_only=True):
    minutes: Annotated[int, msgspec.Meta(ge=5, le=7 * 24 * 60, description="Remind again after this many minutes")]


class Preferences(Out, kw_only=True):
    """The /me shape, plus the quiet hours in force (local time in ``timezone``)."""

    id: uuid.UUID
    email: str
    name: str
    org_id: uuid.UUID
    team_id: uuid.UUID | None
    manager_id: uuid.UUID | None
    roles: list[str]
    locale: str
    timezone: str
    quiet_hours_start: str
    quiet_hours_end: str
    version: int


class PreferencesUpdate(Schema, kw_only=True):
    """Quiet hours as local HH:MM; null puts a side back to its default (22:00 start, 08:00 end)."""

    quiet_hours_start: ClockTime | None | msgspec.UnsetType = msgspec.UNSET
    quiet_hours_end: ClockTime | None | msgspec.UnsetType = msgspec.UNSET


class PriorityOut(Out, kw_only=True):
    opportunity_id: uuid.UUID
    # Competitor signals on the deal in the last 30 days; 0 is the normal priority.
    boost: int
    competitors: list[str]
    last_signal_at: datetime | None
