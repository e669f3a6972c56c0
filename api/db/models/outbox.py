"""The transactional outbox: side effects written with the change that causes them, relayed after commit."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from api.db.base import Base, IdMixin
from api.db.types import utcnow


class OutboxMessage(IdMixin, Base):
    """A job to run after commit. ``job_id`` is stable, so the job runs (and delivers) once however often relayed."""

    __tablename__ = "outbox_messages"
    __table_args__ = (Index("ix_outbox_messages_pending", "dispatched_at", "available_at"),)

    org_id: Mapped[uuid.UUID | None]
    job: Mapped[str] = mapped_column(String(80))
    job_id: Mapped[str] = mapped_column(String(200), unique=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    available_at: Mapped[datetime] = mapped_column(default=utcnow)
    # A relay holds a row while it dispatches or runs it; a crashed holder's lease simply runs out.
    lease_until: Mapped[datetime | None]
    dispatched_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
