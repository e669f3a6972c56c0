"""Organisations, teams, users and their sign-in sessions."""

from __future__ import annotations

import uuid
from datetime import datetime, time

from sqlalchemy import JSON, BigInteger, Float, ForeignKey, Index, String, Time, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from api.db.base import Base, IdMixin
from api.db.types import utcnow

ROLES = ("rep", "manager", "approver", "finance", "legal", "cs", "admin")


class Organisation(IdMixin, Base):
    __tablename__ = "organisations"

    name: Mapped[str] = mapped_column(String(200), unique=True)
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai")
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    locale: Mapped[str] = mapped_column(String(8), default="zh-CN")
    # How close (metres) a check-in must be to the customer to count as verified.
    geofence_radius_m: Mapped[int] = mapped_column(default=200, server_default="200")
    # What pursuing a deal costs, in minor units of the org's currency, and what a won deal is worth over its
    # life: the low-value flag compares expected lifetime value with that cost (api/scoring/value.py).
    cost_per_activity: Mapped[int] = mapped_column(BigInteger, default=10000, server_default="10000")
    cost_per_visit: Mapped[int] = mapped_column(BigInteger, default=50000, server_default="50000")
    cost_per_pipeline_day: Mapped[int] = mapped_column(BigInteger, default=5000, server_default="5000")
    gross_margin_pct: Mapped[float] = mapped_column(Float, default=60.0, server_default="60")
    # Renewals a won deal is expected to bring; None: learned from the org's contract history.
    expected_renewals: Mapped[float | None] = mapped_column(Float)
    ltv_cac_threshold: Mapped[float] = mapped_column(Float, default=3.0, server_default="3")
    # The ETag of these settings (the organisation row itself carries no version).
    settings_version: Mapped[int] = mapped_column(default=1, server_default="1")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Team(IdMixin, Base):
    __tablename__ = "teams"
    __table_args__ = (UniqueConstraint("org_id", "name"),)

    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class User(IdMixin, Base):
    __tablename__ = "users"

    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    team_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"), index=True)
    manager_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))
    roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    locale: Mapped[str] = mapped_column(String(8), default="zh-CN")
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai")
    is_active: Mapped[bool] = mapped_column(default=True)
    # Reminders are held during quiet hours (local time in ``timezone``); unset means 22:00 to 08:00.
    quiet_hours_start: Mapped[time | None] = mapped_column(Time)
    quiet_hours_end: Mapped[time | None] = mapped_column(Time)
    # The ETag of the user's preferences (PATCH /api/v1/me/preferences needs If-Match).
    preferences_version: Mapped[int] = mapped_column(default=1, server_default="1")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AuthSession(IdMixin, Base):
    """One sign-in: its refresh tokens form a family, and revoking it ends every token of that sign-in."""

    __tablename__ = "auth_sessions"

    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]
    revoked_reason: Mapped[str | None] = mapped_column(String(40))
    user_agent: Mapped[str | None] = mapped_column(String(300))


class RefreshToken(IdMixin, Base):
    __tablename__ = "refresh_tokens"

    session_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("auth_sessions.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class LoginAttempt(IdMixin, Base):
    """A failed sign-in, counted per account and per address to throttle guessing."""

    __tablename__ = "login_attempts"
    __table_args__ = (Index("ix_login_attempts_key_at", "key", "at"),)

    key: Mapped[str] = mapped_column(String(400))
    at: Mapped[datetime] = mapped_column(default=utcnow)
