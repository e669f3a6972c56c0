"""Visit plans, the visits they consist of, GPS check-ins, and the geocoding cache."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from api.db.base import Base, IdMixin, TimestampMixin, VersionedMixin
from api.db.types import GUID, utcnow

VISIT_STATUSES = ("planned", "checked_in", "done", "cancelled", "dropped")
CHECK_IN_STATUSES = ("verified", "out_of_range", "low_accuracy")


class VisitPlan(IdMixin, TimestampMixin, VersionedMixin, Base):
    """One rep's route for one day; a week plan is several of these sharing a ``week_id``.

    Times of day (shift, break) are seconds since local midnight in ``timezone``, as the rep asked for them.
    """

    __tablename__ = "visit_plans"
    __table_args__ = (Index("ix_visit_plans_org_id_owner_id_plan_date", "org_id", "owner_id", "plan_date"),)
    __mapper_args__ = {"version_id_col": VersionedMixin.version}  # noqa: RUF012

    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    owner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    plan_date: Mapped[date]
    week_id: Mapped[uuid.UUID | None] = mapped_column(GUID(), index=True)
    timezone: Mapped[str] = mapped_column(String(64))
    mode: Mapped[str] = mapped_column(String(10))
    start_lat: Mapped[float | None]
    start_lon: Mapped[float | None]
    end_lat: Mapped[float | None]
    end_lon: Mapped[float | None]
    shift_start_s: Mapped[int]
    shift_end_s: Mapped[int]
    break_earliest_s: Mapped[int | None]
    break_latest_s: Mapped[int | None]
    break_minutes: Mapped[int | None]
    break_start_s: Mapped[int | None]
    break_end_s: Mapped[int | None]
    leave_s: Mapped[int | None]
    back_s: Mapped[int | None]
    total_travel_s: Mapped[int] = mapped_column(default=0)
    total_wait_s: Mapped[int] = mapped_column(default=0)
    dropped: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    solver: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The matrix the caller sent, when they sent one: re-planning must use the same travel times.
    matrix: Mapped[list[list[int]] | None] = mapped_column(JSON)
    revision: Mapped[int] = mapped_column(default=1)
    # A newer plan for the same rep and day supersedes this one; its untouched visits are removed.
    status: Mapped[str] = mapped_column(String(20), default="active")


class Visit(IdMixin, TimestampMixin, VersionedMixin, Base):
    """One stop of a plan: where, when, and what happened there."""

    __tablename__ = "visits"
    __table_args__ = (
        Index("ix_visits_org_id_owner_id_visit_date", "org_id", "owner_id", "visit_date"),
        Index("ix_visits_account_id_visit_date", "account_id", "visit_date"),
    )
    __mapper_args__ = {"version_id_col": VersionedMixin.version}  # noqa: RUF012

    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    owner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    plan_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("visit_plans.id", ondelete="CASCADE"), index=True)
    account_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"))
    name: Mapped[str | None] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(String(500))
    lat: Mapped[float | None]
    lon: Mapped[float | None]
    visit_date: Mapped[date]
    sequence: Mapped[int]  # position in the day's route
    stop_index: Mapped[int]  # position in the request's stops (candidates after them)
    matrix_index: Mapped[int]  # row of the travel matrix
    required: Mapped[bool] = mapped_column(default=True)
    priority: Mapped[int | None]
    prize_s: Mapped[int] = mapped_column(default=0)  # what leaving it out costs the solver, in seconds
    candidate: Mapped[bool] = mapped_column(default=False)
    reason: Mapped[dict[str, str] | None] = mapped_column(JSON)
    service_s: Mapped[int]
    window_start_s: Mapped[int | None]
    window_end_s: Mapped[int | None]
    planned_arrive: Mapped[datetime]
    planned_depart: Mapped[datetime]
    travel_s: Mapped[int] = mapped_column(default=0)
    wait_s: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(String(20), default="planned")
    drop_reason: Mapped[str | None] = mapped_column(String(40))
    checked_in_at: Mapped[datetime | None]
    check_in_status: Mapped[str | None] = mapped_column(String(20))
    check_in_distance_m: Mapped[float | None] = mapped_column(Float)
    checked_out_at: Mapped[datetime | None]
    outcome: Mapped[str | None] = mapped_column(String(20))
    notes: Mapped[str | None] = mapped_column(Text)
    activity_ids: Mapped[list[str]] = mapped_column(JSON, default=list)


class VisitCheckIn(IdMixin, Base):
    """Every check-in attempt, kept as sent (device time included) with what the server made of it."""

    __tablename__ = "visit_check_ins"
    __table_args__ = (Index("ix_visit_check_ins_owner_id_at", "owner_id", "at"),)

    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    owner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    visit_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("visits.id", ondelete="CASCADE"), index=True)
    lat: Mapped[float]
    lon: Mapped[float]
    accuracy_m: Mapped[float] = mapped_column(Float)
    at: Mapped[datetime]  # the device's time of the fix
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    status: Mapped[str] = mapped_column(String(20))
    distance_m: Mapped[float | None] = mapped_column(Float)
    radius_m: Mapped[int]
    flags: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Set when a flag calls for the manager's attention (``offline`` alone does not).
    flagged: Mapped[bool] = mapped_column(default=False)
    speed_kmh: Mapped[float | None] = mapped_column(Float)
    previous_id: Mapped[uuid.UUID | None] = mapped_column(GUID())


class GeocodeCache(IdMixin, Base):
    """What a geocoder answered for an address (found or not), so each address is looked up once."""

    __tablename__ = "geocode_cache"
    __table_args__ = (UniqueConstraint("provider", "query"),)

    provider: Mapped[str] = mapped_column(String(200))
    query: Mapped[str] = mapped_column(String(500))
    lat: Mapped[float | None]
    lon: Mapped[float | None]
    found: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
