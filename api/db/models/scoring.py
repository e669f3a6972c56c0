"""What scoring reads that no other domain records: buying signals, invoices, and each org's learned win model.

A ``DealSignal`` is a fact a rep learned about a deal (budget confirmed, decision maker involved...), true or
explicitly false; the latest record of a kind is what counts. An ``Invoice`` is a bill to a customer with its due
and paid dates: the raw material of payment punctuality. A ``WinModel`` is one org's logistic regression over its
own closed deals, replaced on each retraining.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from api.db.base import Base, IdMixin, TimestampMixin, VersionedMixin
from api.db.types import utcnow

SIGNAL_KINDS = ("budget_confirmed", "decision_maker_involved")


class DealSignal(IdMixin, Base):
    __tablename__ = "deal_signals"
    __table_args__ = (Index("ix_deal_signals_opportunity_id_recorded_at", "opportunity_id", "recorded_at"),)

    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    opportunity_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("opportunities.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(30))
    # False records the opposite on purpose ("no budget this year"): it weighs against the deal, unlike silence.
    value: Mapped[bool] = mapped_column(default=True)
    contact_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    note: Mapped[str | None] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    recorded_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))


class Invoice(IdMixin, TimestampMixin, VersionedMixin, Base):
    __tablename__ = "invoices"
    __table_args__ = (
        UniqueConstraint("org_id", "number"),
        Index("ix_invoices_account_id_due_on", "account_id", "due_on"),
    )
    __mapper_args__ = {"version_id_col": VersionedMixin.version}  # noqa: RUF012

    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    number: Mapped[str | None] = mapped_column(String(60))
    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    due_on: Mapped[date] = mapped_column(Date)
    # Unset while unpaid; an unpaid invoice past its due date counts as late.
    paid_on: Mapped[date | None] = mapped_column(Date)
    created_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))


class WinModel(IdMixin, Base):
    """One org's current win-probability model: log-odds = intercept + the weights of a deal's features."""

    __tablename__ = "win_models"
    __table_args__ = (UniqueConstraint("org_id"),)

    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20), default="logistic")
    intercept: Mapped[float] = mapped_column(default=0.0)
    # {"stage=proposal": 0.41, "product=<id>": -0.2, ...}: one weight per feature value seen in training.
    weights: Mapped[dict[str, float]] = mapped_column(JSON, default=dict)
    # Amount band edges and other choices made at training time, so prediction describes deals the same way.
    spec: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    training_size: Mapped[int] = mapped_column(default=0)
    won: Mapped[int] = mapped_column(default=0)
    lost: Mapped[int] = mapped_column(default=0)
    # auc, brier, log_loss on a time holdout (the latest fifth of the closed deals), with the baseline's figures.
    metrics: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    trained_at: Mapped[datetime] = mapped_column(default=utcnow)
