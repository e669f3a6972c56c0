"""Customer actions and our own: the evidence behind stage changes."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from api.db.base import Base, IdMixin
from api.db.types import utcnow

ACTIVITY_KINDS = ("call", "email", "meeting", "visit", "poc", "document", "other")
DIRECTIONS = ("inbound", "outbound")
# What became of an interaction: an email opened or answered, a meeting attended or missed by the customer.
OUTCOMES = ("opened", "clicked", "replied", "attended", "no_show")


class Activity(IdMixin, Base):
    __tablename__ = "activities"
    __table_args__ = (
        Index("ix_activities_account_id_occurred_at", "account_id", "occurred_at"),
        Index("ix_activities_opportunity_id_occurred_at", "opportunity_id", "occurred_at"),
    )

    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    opportunity_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("opportunities.id", ondelete="CASCADE"))
    owner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    # The customer's person involved, when known: the raw material of per-contact engagement.
    contact_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    direction: Mapped[str] = mapped_column(String(10))
    outcome: Mapped[str | None] = mapped_column(String(10))
    occurred_at: Mapped[datetime]
    summary: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
