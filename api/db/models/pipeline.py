"""The org's sales stages and its product catalogue."""

from __future__ import annotations

import uuid

from sqlalchemy import BigInteger, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from api.db.base import Base, IdMixin

STAGE_KINDS = ("open", "won", "lost")


class Stage(IdMixin, Base):
    """One step of an org's pipeline; ``needs_evidence`` marks the stages past qualification."""

    __tablename__ = "stages"
    __table_args__ = (UniqueConstraint("org_id", "key"),)

    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(40))
    name_en: Mapped[str] = mapped_column(String(100))
    name_zh: Mapped[str] = mapped_column(String(100))
    position: Mapped[int]
    probability: Mapped[int]
    kind: Mapped[str] = mapped_column(String(10), default="open")
    needs_evidence: Mapped[bool] = mapped_column(default=False)


class Product(IdMixin, Base):
    __tablename__ = "products"
    __table_args__ = (UniqueConstraint("org_id", "sku"),)

    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    sku: Mapped[str] = mapped_column(String(60))
    name: Mapped[str] = mapped_column(String(200))
    series: Mapped[str | None] = mapped_column(String(100))
    list_price: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    is_active: Mapped[bool] = mapped_column(default=True)
    # The product a customer moves up to when usage reaches this tier's limit ("propose the next tier").
    next_tier_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("products.id", ondelete="SET NULL"))
