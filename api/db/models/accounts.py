"""Customers (accounts) and the people at them (contacts)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from api.db.base import Base, IdMixin, TimestampMixin, VersionedMixin


class Account(IdMixin, TimestampMixin, VersionedMixin, Base):
    __tablename__ = "accounts"
    __table_args__ = (
        UniqueConstraint("org_id", "external_id"),
        Index("ix_accounts_org_id_owner_id", "org_id", "owner_id"),
    )
    __mapper_args__ = {"version_id_col": VersionedMixin.version}  # noqa: RUF012

    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    owner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    # Who looks after the customer once it has bought (churn warnings go to them); the owner when unset.
    cs_owner_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Set when the customer has left: lost customers are the profile churn risk is compared with.
    churned_at: Mapped[datetime | None]
    name: Mapped[str] = mapped_column(String(200))
    industry: Mapped[str | None] = mapped_column(String(100))
    address: Mapped[str | None] = mapped_column(String(500))
    city: Mapped[str | None] = mapped_column(String(100))
    lat: Mapped[float | None]
    lon: Mapped[float | None]
    phone: Mapped[str | None] = mapped_column(String(50))
    website: Mapped[str | None] = mapped_column(String(300))
    notes: Mapped[str | None] = mapped_column(Text)
    external_id: Mapped[str | None] = mapped_column(String(100))
    created_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    deleted_at: Mapped[datetime | None]


class Contact(IdMixin, TimestampMixin, VersionedMixin, Base):
    __tablename__ = "contacts"
    __mapper_args__ = {"version_id_col": VersionedMixin.version}  # noqa: RUF012

    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    title: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(50))
    email: Mapped[str | None] = mapped_column(String(320))
    is_decision_maker: Mapped[bool] = mapped_column(default=False)
    created_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    deleted_at: Mapped[datetime | None]
