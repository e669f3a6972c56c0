"""Notifications: notify() for every domain, push subscriptions, and the in-app history.

notify() writes the notification and one delivery per current subscription of the recipient, in the caller's
transaction, and queues their sending in that transaction's ``push.send`` outbox job (one job per transaction,
however many notifications it makes, up to SEND_BATCH deliveries each): nothing is sent unless that
transaction commits, and a fan-out is sent by one job rather than one job per device.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
from sqlalchemy import delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.db.models import AuthSession, Notification, OutboxMessage, PushDelivery, PushSubscription, User
from api.db.types import utcnow
from api.lib.auth import Principal
from api.lib.errors import not_found
from api.lib.i18n import DEFAULT_LOCALE, Text, normalise_locale, render
from api.lib.outbox import emit
from api.lib.pagination import keyset_page
from api.notifications.endpoints import EndpointPolicy
from api.notifications.payload import PayloadAction, PushPayload, encode_payload
from api.notifications.schemas import SubscriptionCreate

DELIVER_JOB = "push.deliver"  # one delivery: retries, and rows queued before push.send existed
SEND_JOB = "push.send"  # the deliveries of one transaction
SEND_BATCH = 1000  # deliveries per push.send job at most (a bigger fan-out gets several)
_BATCH_KEY = "push_send_batch"
URGENCIES = ("very-low", "low", "normal", "high")
MAX_TTL_S = 28 * 24 * 3600  # what the push services keep at most
MAX_ACTIONS = 3
_TYPE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")


def delivery_job_id(delivery_id: uuid.UUID) -> str:
    """The stable job id of a delivery: however often relayed, arq runs it once."""
    return f"push:{delivery_id}"


def _check(condition: bool, message: str) -> None:
    if not condition:
        raise ValueError(message)


def _plain(data: dict[str, Any] | None) -> dict[str, Any]:
    """``data`` as plain JSON values (UUIDs, datetimes become strings), as it will be stored and sent."""
    return msgspec.json.decode(msgspec.json.encode(data or {}))


async def notify(
    session: AsyncSession,
    *,
    org_id: uuid.UUID,
    user_id: uuid.UUID,
    type: str,
    title: Text,
    body: Text,
    url: str,
    tag: str,
    actions: Sequence[tuple[str, Text]] = (),
    action_token: str | None = None,
    data: dict[str, Any] | None = None,
    urgency: str = "normal",
    ttl_s: int = 86400,
) -> Notification:
    """Notify one user: in-app history, and a Web Push to each of their devices after the caller commits.

    Texts are rendered in the recipient's language. ``tag`` names what the notification is about (for example
    ``approval:<id>``): a newer notification with the same tag replaces the older one on the device and at the
    push service. Never commits; raises ValueError for arguments no notification can carry.
    """
    _check(bool(_TYPE.match(type)) and len(type) <= 64, f"type must be dotted lowercase, not {type!r}")
    _check(0 < len(url) <= 1024, "url must have 1 to 1024 characters")
    _check(0 < len(tag) <= 128, "tag must have 1 to 128 characters")
    _check(action_token is None or 0 < len(action_token) <= 1024, "action_token must have 1 to 1024 characters")
    _check(urgency in URGENCIES, f"urgency must be one of {', '.join(URGENCIES)}")
    _check(0 < ttl_s <= MAX_TTL_S, f"ttl_s must be between 1 and {MAX_TTL_S}")
    _check(len(actions) <= MAX_ACTIONS and all(0 < len(a) <= 32 for a, _ in actions), "at most 3 short actions")
    locale = (
        await session.execute(select(User.locale).where(User.id == user_id, User.org_id == org_id))
    ).scalar_one_or_none()
    _check(locale is not None, f"no user {user_id} in org {org_id}")
    lang = normalise_locale(locale) or DEFAULT_LOCALE
    now = utcnow()
    notification = Notification(
        id=uuid.uuid4(),
        org_id=org_id,
        user_id=user_id,
        type=type,
        title=render(title, lang)[:500],
        body=render(body, lang),
        url=url,
        tag=tag,
        lang=lang,
        actions=[{"action": action, "title": render(text, lang)} for action, text in actions],
        action_token=action_token,
        data=_plain(data),
        urgency=urgency,
        ttl_s=ttl_s,
        created_at=now,
        expires_at=now + timedelta(seconds=ttl_s),
    )
    encode_payload(payload_of(notification))  # refuses now, not in the worker, what can never fit
    session.add(notification)
    await session.flush()
    deliveries = []
    for subscription_id in await _current_subscriptions(session, user_id, now):
        delivery = PushDelivery(
            id=uuid.uuid4(),
            org_id=org_id,
            notification_id=notification.id,
            subscription_id=subscription_id,
            created_at=now,
            expires_at=notification.expires_at,
        )
        session.add(delivery)
        deliveries.append(delivery.id)
    _queue_sending(session, org_id, deliveries)
    return notification


def _queue_sending(session: AsyncSession, org_id: uuid.UUID, deliveries: list[uuid.UUID]) -> None:
    """Add the deliveries to this transaction's push.send job, starting one when there is none (or it is full)."""
    if not deliveries:
        return
    transaction = session.sync_session.get_transaction()
    batch = session.info.get(_BATCH_KEY)
    message: OutboxMessage | None = None
    if batch is not None and batch[0] is transaction and batch[1] in session:  # not committed, nor rolled back
        message = batch[1]
    while deliveries:
        if message is None or len(message.payload["delivery_ids"]) >= SEND_BATCH:
            message = emit(session, SEND_JOB, {"delivery_ids": []}, org_id=org_id)
            session.info[_BATCH_KEY] = (transaction, message)
        ids = list(message.payload["delivery_ids"])
        room = SEND_BATCH - len(ids)
        # A new list, so that the change is written (the JSON column does not track changes inside it).
        message.payload = {"delivery_ids": [*ids, *(str(d) for d in deliveries[:room])]}
        deliveries = deliveries[room:]


async def _current_subscriptions(session: AsyncSession, user_id: uuid.UUID, now: datetime) -> list[uuid.UUID]:
    """The user's subscriptions on devices still signed in, and not past their expiry."""
    rows = await session.execute(
        select(PushSubscription.id)
        .outerjoin(AuthSession, AuthSession.id == PushSubscription.session_id)
        .where(
            PushSubscription.user_id == user_id,
            or_(PushSubscription.session_id.is_(None), AuthSession.revoked_at.is_(None)),
            or_(PushSubscription.expires_at.is_(None), PushSubscription.expires_at > now),
        )
    )
    return list(rows.scalars())


def payload_of(notification: Notification) -> PushPayload:
    """What the service worker receives for this notification."""
    return PushPayload(
        type=notification.type,
        title=notification.title,
        body=notification.body,
        url=notification.url,
        tag=notification.tag,
        lang=notification.lang,
        actions=[PayloadAction(a["action"], a["title"]) for a in notification.actions],
        action_token=notification.action_token,
        data=dict(notification.data or {}),
    )


def endpoint_hash(endpoint: str) -> str:
    return hashlib.sha256(endpoint.encode()).hexdigest()


async def delete_session_subscriptions(session: AsyncSession, session_id: uuid.UUID) -> None:
    """Forget the push subscriptions of one sign-in (on logout): that device stops receiving notifications."""
    await session.execute(delete(PushSubscription).where(PushSubscription.session_id == session_id))


class NotificationService:
    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        self.session = session
        self.principal = principal

    async def subscribe(
        self, data: SubscriptionCreate, policy: EndpointPolicy, user_agent: str | None
    ) -> tuple[PushSubscription, bool]:
        """Save the caller's subscription on this device (the same endpoint again replaces it); (row, created)."""
        await policy.check(data.endpoint, field="endpoint")
        p256dh, auth = data.keys.validated()
        expires_at = (
            datetime.fromtimestamp(data.expiration_time / 1000, UTC) if data.expiration_time is not None else None
        )
        key = endpoint_hash(data.endpoint)
        row = (
            await self.session.execute(select(PushSubscription).where(PushSubscription.endpoint_hash == key))
        ).scalar_one_or_none()
        values = {
            "org_id": self.principal.org_id,
            "user_id": self.principal.user_id,
            "session_id": self.principal.session_id,
            "endpoint": data.endpoint,
            "p256dh": p256dh,
            "auth": auth,
            "expires_at": expires_at,
            "user_agent": (user_agent or "")[:300] or None,
            "updated_at": utcnow(),
        }
        if row is None:
            row = PushSubscription(id=uuid.uuid4(), endpoint_hash=key, version=1, **values)
            self.session.add(row)
            await self.session.flush()
            return row, True
        # The same browser subscribing again (new keys, another sign-in, even another user): a replacement.
        for name, value in values.items():
            setattr(row, name, value)
        row.version += 1
        await self.session.flush()
        return row, False

    async def unsubscribe(self, subscription_id: uuid.UUID) -> None:
        result = await self.session.execute(
            delete(PushSubscription).where(
                PushSubscription.id == subscription_id, PushSubscription.user_id == self.principal.user_id
            )
        )
        if not result.rowcount:
            raise not_found()

    async def history(self, limit: int, cursor: str | None) -> tuple[list[Notification], str | None]:
        """The caller's notifications, newest first."""
        stmt = select(Notification).where(
            Notification.user_id == self.principal.user_id, Notification.org_id == self.principal.org_id
        )
        return await keyset_page(self.session, stmt, Notification.created_at, cursor, limit)
