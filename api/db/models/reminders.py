"""Smart reminders about deals, and the priority boost competitor activity gives a deal."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from api.db.base import Base, IdMixin
from api.db.types import utcnow

REMINDER_KINDS = ("promised_date", "silent_customer", "competitor", "stage_dwell")
# pending: due, not sent yet; held: due in the recipient's quiet hours, sent when they end; snoozed: the user
# asked to be reminded again later; sent; dismissed by the user; cancelled: no longer true when it was to be sent.
REMINDER_STATES = ("pending", "held", "snoozed", "sent", "dismissed", "cancelled")


class Reminder(IdMixin, Base):
    """One reminder to one person about one occurrence (a promised date, a silence, a signal, a stay in a stage).

    ``dedup_key`` names the occurrence (for example ``promised_date:<deal>:2026-12-01``); unique per recipient,
    so however often the scheduled jobs run, an occurrence reminds each person once.
    """

    __tablename__ = "reminders"
    __table_args__ = (
        # dedup_key first: the detectors look their candidates up by key alone.
        UniqueConstraint("dedup_key", "user_id"),
        Index("ix_reminders_user_id_due_at", "user_id", "due_at"),
        # The delivery pass reads what is waiting and due: state first, then time.
        Index("ix_reminders_state_send_after", "state", "send_after"),
    )

    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    dedup_key: Mapped[str] = mapped_column(String(200))
    opportunity_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("opportunities.id", ondelete="CASCADE"), index=True)
    account_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    state: Mapped[str] = mapped_column(String(12), default="pending")
    # When the occurrence became due (the signal's time for competitor activity).
    due_at: Mapped[datetime]
    # Not sent before this instant: the due time, the end of quiet hours, or the end of a snooze.
    send_after: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    sent_count: Mapped[int] = mapped_column(default=0)
    notification_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("notifications.id", ondelete="SET NULL"))
    # What the texts are made of (names, dates, days), so the reason reads the same in either language later.
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Guards each state change: the delivery pass and a user's snooze never both win.
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class DealPriority(IdMixin, Base):
    """How far competitor activity raises a deal's priority: ``boost`` counts its competitor signals of 30 days."""

    __tablename__ = "deal_priorities"

    opportunity_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("opportunities.id", ondelete="CASCADE"), unique=True)
    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    boost: Mapped[int] = mapped_column(default=0)
    # The competitors named by those signals, in the order first seen.
    competitors: Mapped[list[str]] = mapped_column(JSON, default=list)
    last_signal_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
