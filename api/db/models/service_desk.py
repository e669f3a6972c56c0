"""What customers raise after the sale, and the follow-up work it creates for us.

A ``SupportCase`` is a complaint or a support ticket on an account; an open complaint or an escalated case weighs
on that account's open opportunities and on its churn risk. A ``Task`` is a piece of work assigned to a person
(for example: a manager asked to step in after a complaint), linked to the record that caused it.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from api.db.base import Base, IdMixin, VersionedMixin
from api.db.types import utcnow

CASE_KINDS = ("complaint", "support")
CASE_SEVERITIES = ("low", "normal", "high", "critical")
CASE_STATUSES = ("open", "escalated", "resolved")
TASK_STATUSES = ("open", "done", "cancelled")


class SupportCase(IdMixin, VersionedMixin, Base):
    __tablename__ = "support_cases"
    __table_args__ = (Index("ix_support_cases_account_id_opened_at", "account_id", "opened_at"),)
    # Responding, escalating and editing a case are updates guarded by its version (ETag / If-Match).
    __mapper_args__ = {"version_id_col": VersionedMixin.version}  # noqa: RUF012

    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    severity: Mapped[str] = mapped_column(String(10), default="normal")
    status: Mapped[str] = mapped_column(String(10), default="open")
    subject: Mapped[str] = mapped_column(String(300))
    detail: Mapped[str | None] = mapped_column(Text)
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When the customer was promised an answer; a case still open after it has breached its SLA.
    sla_due_at: Mapped[datetime | None]
    first_response_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    external_id: Mapped[str | None] = mapped_column(String(100))
    created_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))


class Task(IdMixin, Base):
    __tablename__ = "tasks"
    __table_args__ = (Index("ix_tasks_assignee_id_status", "assignee_id", "status"),)

    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    assignee_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(300))
    detail: Mapped[str | None] = mapped_column(Text)
    # What the task is about, e.g. ("support_case", id) or ("opportunity", id); the key deduplicates creation.
    subject_type: Mapped[str] = mapped_column(String(30))
    subject_id: Mapped[uuid.UUID]
    dedup_key: Mapped[str] = mapped_column(String(200), unique=True)
    account_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    opportunity_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("opportunities.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(10), default="open")
    due_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    done_at: Mapped[datetime | None]
