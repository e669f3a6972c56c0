"""Churn warnings already pushed: one row per account, risk level and day, so a warning is never repeated."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from api.db.base import Base, IdMixin
from api.db.types import utcnow


class ChurnWarning(IdMixin, Base):
    __tablename__ = "churn_warnings"
    __table_args__ = (
        # Two runs of the daily job on the same day (arq delivers at least once) cannot both warn.
        UniqueConstraint("account_id", "level", "sent_on"),
        Index("ix_churn_warnings_account_id_sent_at", "account_id", "sent_at"),
    )

    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    recipient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    level: Mapped[str] = mapped_column(String(10))
    score: Mapped[int]
    sent_on: Mapped[date]  # the UTC day of sent_at
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
