"""Weekly forecast snapshots, and the bottleneck flags already sent to managers (so each is sent once a week)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from api.db.base import Base, IdMixin
from api.db.types import utcnow


class ForecastSnapshot(IdMixin, Base):
    """The forecast of one period as it stood in one week, by one basis (``weighted`` or ``model``), org-wide."""

    __tablename__ = "forecast_snapshots"
    __table_args__ = (
        UniqueConstraint("org_id", "week_start", "period", "basis"),
        Index("ix_forecast_snapshots_org_id_period_end", "org_id", "period_end"),
    )

    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    # The Monday (in the org's time zone) of the week the snapshot belongs to: one per org, week, period, basis.
    week_start: Mapped[date]
    period: Mapped[str] = mapped_column(String(10))
    period_start: Mapped[date]
    period_end: Mapped[date]
    basis: Mapped[str] = mapped_column(String(10))
    currency: Mapped[str] = mapped_column(String(3))
    count: Mapped[int]
    pipeline_amount: Mapped[int] = mapped_column(BigInteger)
    amount: Mapped[int] = mapped_column(BigInteger)
    won_so_far: Mapped[int] = mapped_column(BigInteger)
    # {stage: forecast amount} of the open deals in each stage.
    by_stage: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    taken_at: Mapped[datetime] = mapped_column(default=utcnow)


class BottleneckAlert(IdMixin, Base):
    """A bottleneck flag a manager was notified of, in the week it was sent: the same flag is not sent again."""

    __tablename__ = "bottleneck_alerts"
    __table_args__ = (UniqueConstraint("user_id", "stage", "week_start"),)

    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    team_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"))
    stage: Mapped[str] = mapped_column(String(40))
    week_start: Mapped[date]
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    notification_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("notifications.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
