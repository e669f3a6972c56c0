"""Opportunities, their line items and their stage history."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from api.db.base import Base, IdMixin, TimestampMixin, VersionedMixin
from api.db.types import utcnow

FORECAST_CATEGORIES = ("pipeline", "best_case", "commit", "omitted", "closed")


class Opportunity(IdMixin, TimestampMixin, VersionedMixin, Base):
    __tablename__ = "opportunities"
    __table_args__ = (
        UniqueConstraint("org_id", "external_id"),
        # The list endpoint reads newest first within an org (and an owner): keyset pagination on this index.
        Index("ix_opportunities_org_id_created_at_id", "org_id", "created_at", "id"),
        # A rep's own list: the owner's rows come out of this index already in page order.
        Index("ix_opportunities_org_id_owner_id_created_at_id", "org_id", "owner_id", "created_at", "id"),
        # The few rows whose list item is missing, found without a scan by the job that renders them.
        Index(
            "ix_opportunities_list_item_missing",
            "id",
            sqlite_where=text("list_item IS NULL"),
            postgresql_where=text("list_item IS NULL"),
        ),
    )
    __mapper_args__ = {"version_id_col": VersionedMixin.version}  # noqa: RUF012

    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id"), index=True)
    owner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    name: Mapped[str] = mapped_column(String(200))
    stage: Mapped[str] = mapped_column(String(40))
    probability: Mapped[int] = mapped_column(Integer)
    amount: Mapped[int] = mapped_column(BigInteger, default=0)
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    discount_pct: Mapped[float] = mapped_column(default=0.0)
    close_date: Mapped[date | None]
    promised_date: Mapped[date | None]
    competitors: Mapped[list[str]] = mapped_column(JSON, default=list)
    next_step: Mapped[str | None] = mapped_column(String(500))
    loss_reason: Mapped[str | None] = mapped_column(String(500))
    forecast_category: Mapped[str] = mapped_column(String(20), default="pipeline")
    description: Mapped[str | None] = mapped_column(Text)
    closed_at: Mapped[datetime | None]
    external_id: Mapped[str | None] = mapped_column(String(100))
    created_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    deleted_at: Mapped[datetime | None]
    # The row as the list endpoint serves it, rendered on every write (api/opportunities/list_item.py); NULL
    # when a write bypassed the ORM, until rendered again. Deferred: no other read needs it.
    list_item: Mapped[str | None] = mapped_column(Text, deferred=True)


class LineItem(IdMixin, Base):
    """A product on an opportunity; its amount is quantity × unit price less the discount, in minor units."""

    __tablename__ = "line_items"

    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    opportunity_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("opportunities.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("products.id"))
    description: Mapped[str | None] = mapped_column(String(300))
    quantity: Mapped[int]
    unit_price: Mapped[int] = mapped_column(BigInteger)
    discount_pct: Mapped[float] = mapped_column(default=0.0)
    amount: Mapped[int] = mapped_column(BigInteger)
    position: Mapped[int] = mapped_column(default=0)


class StageHistory(IdMixin, Base):
    """A stay of an opportunity in a stage: the raw material of dwell-time analysis."""

    __tablename__ = "stage_history"
    __table_args__ = (Index("ix_stage_history_opportunity_id_entered_at", "opportunity_id", "entered_at"),)

    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    opportunity_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("opportunities.id", ondelete="CASCADE"))
    stage: Mapped[str] = mapped_column(String(40))
    entered_at: Mapped[datetime] = mapped_column(default=utcnow)
    left_at: Mapped[datetime | None]
    changed_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
