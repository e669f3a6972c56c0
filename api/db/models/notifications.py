"""Notifications, the Web Push subscriptions they are sent to, and each delivery and its attempts."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from api.db.base import Base, IdMixin
from api.db.types import utcnow


class PushSubscription(IdMixin, Base):
    """A browser's push subscription, per user and sign-in (device).

    The endpoint is unique: subscribing again with it replaces the row in place and bumps ``version``, so a
    404/410 answered for a send made with an older version never deletes the newer subscription.
    """

    __tablename__ = "push_subscriptions"

    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    session_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("auth_sessions.id", ondelete="CASCADE"), index=True)
    # sha256 of the endpoint: a fixed-width unique key, whatever the length of a push service's URLs.
    endpoint_hash: Mapped[str] = mapped_column(String(64), unique=True)
    endpoint: Mapped[str] = mapped_column(Text)
    p256dh: Mapped[str] = mapped_column(String(100))
    auth: Mapped[str] = mapped_column(String(40))
    expires_at: Mapped[datetime | None]
    user_agent: Mapped[str | None] = mapped_column(String(300))
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Notification(IdMixin, Base):
    """One message to one person, rendered in their language: the in-app history and the source of pushes."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_id_created_at", "user_id", "created_at"),)

    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    type: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(500))
    body: Mapped[str] = mapped_column(Text)
    url: Mapped[str] = mapped_column(String(1024))
    tag: Mapped[str] = mapped_column(String(128))
    lang: Mapped[str] = mapped_column(String(8))
    actions: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    # The single-use token behind the notification's action buttons; never listed back over the API.
    action_token: Mapped[str | None] = mapped_column(String(1024))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    urgency: Mapped[str] = mapped_column(String(10), default="normal")
    ttl_s: Mapped[int] = mapped_column(default=86400)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]


class PushDelivery(IdMixin, Base):
    """One notification to one subscription: pending until sent, gone, expired, failed or cancelled."""

    __tablename__ = "push_deliveries"

    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    notification_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("notifications.id", ondelete="CASCADE"), index=True)
    subscription_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("push_subscriptions.id", ondelete="SET NULL"), index=True
    )
    state: Mapped[str] = mapped_column(String(12), default="pending")
    # How far the payload has been cut after a 413: 0 whole, 1 without data, 2 with a short body as well.
    shrink: Mapped[int] = mapped_column(default=0)
    attempts: Mapped[int] = mapped_column(default=0)
    last_status: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]


class PushAttempt(IdMixin, Base):
    """One request to a push service and what came of it."""

    __tablename__ = "push_attempts"

    delivery_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("push_deliveries.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    status_code: Mapped[int | None]
    outcome: Mapped[str] = mapped_column(String(20))
    duration_ms: Mapped[int] = mapped_column(default=0)
    payload_bytes: Mapped[int] = mapped_column(default=0)
    subscription_version: Mapped[int | None]
    detail: Mapped[str | None] = mapped_column(String(500))
