from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, Response, delete, get, post
from litestar.di import Provide
from sqlalchemy.ext.asyncio import AsyncSession

from api.lib.auth import Principal
from api.lib.errors import READ, WRITE, problems
from api.lib.pagination import DEFAULT_LIMIT, Page, check_limit
from api.lib.schema import to_out
from api.notifications import schemas
from api.notifications.endpoints import policy_for
from api.notifications.service import NotificationService
from api.notifications.vapid import load_identity


def provide_service(db: AsyncSession, principal: Principal) -> NotificationService:
    return NotificationService(db, principal)


def _notification(row: Any) -> schemas.NotificationOut:
    actions = [schemas.NotificationAction(action=a["action"], title=a["title"]) for a in row.actions]
    return to_out(schemas.NotificationOut, row, actions=actions)


class PushController(Controller):
    path = "/api/v1"
    tags = ["notifications"]  # noqa: RUF012
    dependencies = {"notifications": Provide(provide_service, sync_to_thread=False)}  # noqa: RUF012

    @get("/push/key", summary="The VAPID applicationServerKey to subscribe with", responses=problems(401))
    async def public_key(self, request: Request[Any, Any, Any], principal: Principal) -> schemas.PublicKey:
        return schemas.PublicKey(public_key=load_identity(request.app.state.settings).public_key)

    @post(
        "/push/subscriptions",
        summary="Save this device's push subscription (PushSubscription.toJSON()); the same endpoint replaces it",
        responses=WRITE,
    )
    async def subscribe(
        self, request: Request[Any, Any, Any], data: schemas.SubscriptionCreate, notifications: NotificationService
    ) -> Response[schemas.Subscription]:
        policy = policy_for(request.app.state.settings.push_allowed_hosts)
        row, created = await notifications.subscribe(data, policy, request.headers.get("user-agent"))
        return Response(to_out(schemas.Subscription, row), status_code=201 if created else 200)

    @delete(
        "/push/subscriptions/{subscription_id:uuid}",
        status_code=204,
        summary="Stop push notifications to one of the caller's devices",
        responses=problems(401, 404),
    )
    async def unsubscribe(self, subscription_id: uuid.UUID, notifications: NotificationService) -> None:
        await notifications.unsubscribe(subscription_id)

    @get("/notifications", summary="The caller's notifications, newest first", responses=READ)
    async def list_notifications(
        self, notifications: NotificationService, limit: int = DEFAULT_LIMIT, cursor: str | None = None
    ) -> Page[schemas.NotificationOut]:
        rows, next_cursor = await notifications.history(check_limit(limit), cursor)
        return Page(items=[_notification(r) for r in rows], next_cursor=next_cursor)
