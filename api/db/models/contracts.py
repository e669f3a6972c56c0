"""What a customer owns after the sale: contracts with their terms, each amendment, and measured product usage.

Contracts are the raw material of churn warnings (terms renegotiated again and again), renewal timing (how long
before the end past renewals were started) and cross-sell (what a customer has owned, and for how long).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from api.db.base import Base, IdMixin, TimestampMixin, VersionedMixin
from api.db.types import utcnow

CONTRACT_STATUSES = ("active", "renewed", "expired", "cancelled")
AMENDABLE_TERMS = ("scope", "payment_terms", "amount", "ends_on")


class Contract(IdMixin, TimestampMixin, VersionedMixin, Base):
    __tablename__ = "contracts"
    __table_args__ = (Index("ix_contracts_account_id_ends_on", "account_id", "ends_on"),)
    # Every UPDATE checks and bumps the version: a concurrent edit or double renewal fails instead of being lost.
    __mapper_args__ = {"version_id_col": VersionedMixin.version}  # noqa: RUF012

    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    product_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("products.id"), index=True)
    # The deal that won it, and the contract it renews: a chain of renewals is a customer's history with a product.
    opportunity_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("opportunities.id", ondelete="SET NULL"))
    renews_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("contracts.id", ondelete="SET NULL"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    scope: Mapped[str | None] = mapped_column(Text)
    payment_terms: Mapped[str | None] = mapped_column(String(100))
    amount: Mapped[int] = mapped_column(BigInteger, default=0)
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    status: Mapped[str] = mapped_column(String(10), default="active")
    # When talks about renewing it began (the first renewal conversation); past values teach renewal timing.
    renewal_started_on: Mapped[date | None]
    # When the owner was told that the best week to begin renewal talks had come (once per contract).
    renewal_reminded_at: Mapped[datetime | None]
    external_id: Mapped[str | None] = mapped_column(String(100))
    created_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))


class ContractAmendment(IdMixin, Base):
    """One change to a contract's terms: who, when, which term, old → new."""

    __tablename__ = "contract_amendments"
    __table_args__ = (Index("ix_contract_amendments_contract_id_changed_at", "contract_id", "changed_at"),)

    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    contract_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("contracts.id", ondelete="CASCADE"))
    term: Mapped[str] = mapped_column(String(20))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    changed_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))


class ProductUsage(IdMixin, Base):
    """How much of a product an account used in one month (seats, devices, calls...), against its tier's limit."""

    __tablename__ = "product_usage"
    __table_args__ = (UniqueConstraint("account_id", "product_id", "month"),)

    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    product_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    month: Mapped[date]  # the first day of the month measured
    quantity: Mapped[int] = mapped_column(BigInteger)
    tier_limit: Mapped[int | None] = mapped_column(BigInteger)
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
