from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

import msgspec
from msgspec import UNSET, UnsetType

from api.lib.schema import Out, Schema

Kind = Literal["call", "email", "meeting", "visit", "poc", "document", "other"]
Direction = Literal["inbound", "outbound"]
Outcome = Literal["opened", "clicked", "replied", "attended", "no_show"]


class ActivityCreate(Schema, kw_only=True):
    id: uuid.UUID | UnsetType = UNSET
    account_id: uuid.UUID
    opportunity_id: uuid.UUID | None = None
    contact_id: uuid.UUID | None = None
    kind: Kind
    direction: Direction
    outcome: Outcome | None = None
    occurred_at: datetime
    summary: Annotated[str, msgspec.Meta(min_length=1, max_length=5000)]


class Activity(Out, kw_only=True):
    id: uuid.UUID
    account_id: uuid.UUID
    opportunity_id: uuid.UUID | None
    owner_id: uuid.UUID
    contact_id: uuid.UUID | None
    kind: Kind
    direction: Direction
    outcome: Outcome | None
    occurred_at: datetime
    summary: str
    created_at: datetime
