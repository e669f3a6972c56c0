"""Reminders over HTTP: the caller's list, dismiss and snooze; quiet hours under /me; deal priorities."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, patch, post
from litestar.di import Provide
from litestar.params import HeaderParameter, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from api.lib.auth import Principal
from api.lib.concurrency import etag, parse_if_match
from api.lib.errors import READ, UPDATE, locale_of, problems
from api.lib.pagination import DEFAULT_LIMIT, Page, check_limit
from api.reminders.schemas import Preferences, PreferencesUpdate, PriorityOut, ReminderOut, ReminderState, SnoozeIn
from api.reminders.service import ReminderService, priority_out, reminder_out

IfMatch = Annotated[str | None, HeaderParameter(name="If-Match", required=False, description="The ETag last read")]
ACT = problems(401, 404, 409, 413, 422)


def provide_reminders(db: AsyncSession, principal: Principal) -> ReminderService:
    return ReminderService(db, principal)


DEPENDENCIES = {"reminders": Provide(provide_reminders, sync_to_thread=False)}


class ReminderController(Controller):
    path = "/api/v1/reminders"
    tags = ["reminders"]  # noqa: RUF012
    dependencies = DEPENDENCIES

    @get("/", summary="My reminders: waiting (pending, held, snoozed) and sent, latest due first", responses=READ)
    async def list_reminders(
        self,
        request: Request[Any, Any, Any],
        reminders: ReminderService,
        reminder_state: Annotated[ReminderState | None, QueryParameter(name="state")] = None,
        limit: int = DEFAULT_LIMIT,
        cursor: str | None = None,
    ) -> Page[ReminderOut]:
        rows, next_cursor = await reminders.page(reminder_state, check_limit(limit), cursor)
        locale = locale_of(request)
        return Page(items=[reminder_out(row, locale) for row in rows], next_cursor=next_cursor)

    @post("/{reminder_id:uuid}/dismiss", status_code=200, summary="Dismiss a reminder of mine", responses=ACT)
    async def dismiss_reminder(
        self, request: Request[Any, Any, Any], reminder_id: uuid.UUID, reminders: ReminderService
    ) -> ReminderOut:
        return reminder_out(await reminders.dismiss(reminder_id), locale_of(request))

    @post("/{reminder_id:uuid}/snooze", status_code=200, summary="Remind me again later", responses=ACT)
    async def snooze_reminder(
        self, request: Request[Any, Any, Any], reminder_id: uuid.UUID, data: SnoozeIn, reminders: ReminderService
    ) -> ReminderOut:
        return reminder_out(await reminders.snooze(reminder_id, data), locale_of(request))


class PreferencesController(Controller):
    path = "/api/v1/me/preferences"
    tags = ["auth"]  # noqa: RUF012
    dependencies = DEPENDENCIES

    @get("/", summary="My preferences: the /me fields and my quiet hours", responses=READ)
    async def get_preferences(self, reminders: ReminderService) -> Response[Preferences]:
        out = await reminders.preferences()
        return Response(out, headers={"ETag": etag(out.version)})

    @patch("/", summary="Set my quiet hours (local HH:MM; null for the default 22:00 to 08:00)", responses=UPDATE)
    async def update_preferences(
        self, data: PreferencesUpdate, reminders: ReminderService, if_match: IfMatch = None
    ) -> Response[Preferences]:
        out = await reminders.update_preferences(parse_if_match(if_match), data)
        return Response(out, headers={"ETag": etag(out.version)})


class PriorityController(Controller):
    path = "/api/v1/deal-priorities"
    tags = ["reminders"]  # noqa: RUF012
    dependencies = DEPENDENCIES

    @get("/", summary="Deals in my reach whose priority competitor activity raised", responses=READ)
    async def list_priorities(
        self, reminders: ReminderService, limit: int = DEFAULT_LIMIT, cursor: str | None = None
    ) -> Page[PriorityOut]:
        rows, next_cursor = await reminders.priorities(check_limit(limit), cursor)
        return Page(items=[priority_out(row) for row in rows], next_cursor=next_cursor)

    @get("/{opportunity_id:uuid}", summary="One deal's priority boost", responses=READ)
    async def get_priority(self, opportunity_id: uuid.UUID, reminders: ReminderService) -> PriorityOut:
        return await reminders.priority(opportunity_id)
