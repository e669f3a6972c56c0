from __future__ import annotations

import uuid

from litestar import Controller, get, post
from litestar.di import Provide
from sqlalchemy.ext.asyncio import AsyncSession

from api.activities import schemas
from api.activities.service import ActivityService
from api.lib.auth import Principal
from api.lib.errors import READ, WRITE
from api.lib.pagination import DEFAULT_LIMIT, Page, check_limit
from api.lib.schema import to_out


def provide_service(db: AsyncSession, principal: Principal) -> ActivityService:
    return ActivityService(db, principal)


class ActivityController(Controller):
    path = "/api/v1/activities"
    tags = ["activities"]  # noqa: RUF012
    dependencies = {"activities": Provide(provide_service, sync_to_thread=False)}  # noqa: RUF012

    @post("/", summary="Log a customer action (or our own) on an account", responses=WRITE)
    async def create_activity(self, data: schemas.ActivityCreate, activities: ActivityService) -> schemas.Activity:
        return to_out(schemas.Activity, await activities.create(data))

    @get("/", summary="Activities on the accounts the caller may see, latest first", responses=READ)
    async def list_activities(
        self,
        activities: ActivityService,
        limit: int = DEFAULT_LIMIT,
        cursor: str | None = None,
        account_id: uuid.UUID | None = None,
        opportunity_id: uuid.UUID | None = None,
    ) -> Page[schemas.Activity]:
        rows, next_cursor = await activities.list(check_limit(limit), cursor, account_id, opportunity_id)
        return Page(items=[to_out(schemas.Activity, r) for r in rows], next_cursor=next_cursor)
