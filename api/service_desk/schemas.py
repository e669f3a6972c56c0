"""Support cases and tasks: what the API reads and answers."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

import msgspec
from msgspec import UNSET, UnsetType

from api.lib.schema import Out, Schema

Kind = Literal["complaint", "support"]
Severity = Literal["low", "normal", "high", "critical"]
CaseStatus = Literal["open", "escalated", "resolved"]
TaskStatus = Literal["open", "done", "cancelled"]
Subject = Annotated[str, msgspec.Meta(min_length=1, max_length=300)]
Detail = Annotated[str, msgspec.Meta(max_length=20_000)]
Note = Annotated[str, msgspec.Meta(min_length=1, max_length=2000)]
ExternalId = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]


class CaseCreate(Schema, kw_only=True):
    id: uuid.UUID | UnsetType = UNSET
    account_id: uuid.UUID
    kind: Kind
    severity: Severity = "normal"
    subject: Subject
    detail: Detail | None = None
    # When the case was raised (a phone may record it later); now when omitted. Never in the future.
    opened_at: datetime | UnsetType = UNSET
    # When the customer was promised an answer; from the severity when omitted (see service.SLA_BY_SEVERITY).
    sla_due_at: datetime | UnsetType = UNSET
    external_id: ExternalId | None = None


class CaseUpdate(Schema, kw_only=True):
    subject: Subject | UnsetType = UNSET
    detail: Detail | None | UnsetType = UNSET
    severity: Severity | UnsetType = UNSET
    sla_due_at: datetime | None | UnsetType = UNSET


class CaseAction(Schema, kw_only=True):
    """Respond or resolve: when it happened (now when omitted; never in the future)."""

    at: datetime | UnsetType = UNSET


class CaseEscalation(Schema, kw_only=True):
    """Escalate: why (it becomes the manager's task detail)."""

    reason: Note | None = None


class SupportCase(Out, kw_only=True):
    id: uuid.UUID
    account_id: uuid.UUID
    kind: Kind
    severity: Severity
    status: CaseStatus
    subject: str
    detail: str | None
    opened_at: datetime
    sla_due_at: datetime | None
    first_response_at: datetime | None
    resolved_at: datetime | None
    # Open past its due time, or first answered after it.
    sla_breached: bool
    external_id: str | None
    created_by: uuid.UUID | None
    version: int


class Task(Out, kw_only=True):
    id: uuid.UUID
    assignee_id: uuid.UUID
    title: str
    detail: str | None
    subject_type: str
    subject_id: uuid.UUID
    account_id: uuid.UUID | None
    opportunity_id: uuid.UUID | None
    status: TaskStatus
    due_at: datetime | None
    created_at: datetime
    done_at: datetime | None
