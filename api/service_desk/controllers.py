"""Support cases and tasks over HTTP."""

from __future__ import annotations

import uuid
from typing import Annotated

from litestar import Controller, Response, get, patch, post
from litestar.di import Provide
from litestar.params import HeaderParameter
from sqlalchemy.ext.asyncio import AsyncSession

from api.db.models import SupportCase
from api.db.types import utcnow
from api.lib.auth import Principal
from api.lib.concurrency import etag, parse_if_match
from api.lib.errors import READ, UPDATE, WRITE, problems
from api.lib.pagination import DEFAULT_LIMIT, Page, check_limit
from api.lib.schema import to_out
from api.service_desk import schemas
from api.service_desk.service import CaseFilters, CaseService
from api.service_desk.sla import breached
from api.service_desk.tasks import TaskService

IfMatch = Annotated[str | None, HeaderParameter(name="If-Match", required=False, description="The ETag last read")]
ACTION = problems(401, 404, 409, 412, 413, 422)


def provide_cases(db: AsyncSession, principal: Principal) -> CaseService:
    return CaseService(db, principal)


def provide_tasks(db: AsyncSession, principal: Principal) -> TaskService:
    return TaskService(db, principal)


def _out(row: SupportCase) -> schemas.SupportCase:
    return to_out(schemas.SupportCase, row, sla_breached=breached(row, utcnow()))


def _case(row: SupportCase, status: int = 200) -> Response[schemas.SupportCase]:
    return Response(_out(row), status_code=status, headers={"ETag": etag(row.version)})


def _optional_if_match(header: str | None) -> int | None:
    """Actions may name the version they were based on (412 when stale); a missing If-Match is accepted."""
    return None if header is None or not header.strip() else parse_if_match(header)


class SupportCaseController(Controller):
    path = "/api/v1"
    tags = ["service desk"]  # noqa: RUF012
    dependencies = {"cases": Provide(provide_cases, sync_to_thread=False)}  # noqa: RUF012

    @post("/support-cases", summary="Record a complaint or support case on an account", responses=WRITE)
    async def create_case(self, data: schemas.CaseCreate, cases: CaseService) -> Response[schemas.SupportCase]:
        return _case(await cases.create(data), 201)

    @get("/support-cases", summary="Cases on the accounts the caller may see, newest first", responses=READ)
    async def list_cases(
        self,
        cases: CaseService,
        account_id: uuid.UUID | None = None,
        kind: schemas.Kind | None = None,
        status: schemas.CaseStatus | None = None,
        severity: schemas.Severity | None = None,
        sla_breached: bool | None = None,
        limit: int = DEFAULT_LIMIT,
        cursor: str | None = None,
    ) -> Page[schemas.SupportCase]:
        filters = CaseFilters(account_id, kind, status, severity, sla_breached)
        rows, next_cursor = await cases.list(filters, check_limit(limit), cursor)
        return Page(items=[_out(r) for r in rows], next_cursor=next_cursor)

    @get("/accounts/{account_id:uuid}/support-cases", summary="One account's cases, newest first", responses=READ)
    async def list_account_cases(
        self,
        cases: CaseService,
        account_id: uuid.UUID,
        kind: schemas.Kind | None = None,
        status: schemas.CaseStatus | None = None,
        severity: schemas.Severity | None = None,
        sla_breached: bool | None = None,
        limit: int = DEFAULT_LIMIT,
        cursor: str | None = None,
    ) -> Page[schemas.SupportCase]:
        filters = CaseFilters(account_id, kind, status, severity, sla_breached)
        rows, next_cursor = await cases.list(filters, check_limit(limit), cursor)
        return Page(items=[_out(r) for r in rows], next_cursor=next_cursor)

    @get("/support-cases/{case_id:uuid}", summary="One case", responses=READ)
    async def get_case(self, case_id: uuid.UUID, cases: CaseService) -> Response[schemas.SupportCase]:
        return _case(await cases.get(case_id))

    @patch("/support-cases/{case_id:uuid}", summary="Edit a case (If-Match required)", responses=UPDATE)
    async def update_case(
        self, case_id: uuid.UUID, data: schemas.CaseUpdate, cases: CaseService, if_match: IfMatch = None
    ) -> Response[schemas.SupportCase]:
        return _case(await cases.update(case_id, parse_if_match(if_match), data))

    @post(
        "/support-cases/{case_id:uuid}/respond",
        summary="Record the first answer to the customer (If-Match optional)",
        responses=ACTION,
        status_code=200,
    )
    async def respond_case(
        self, case_id: uuid.UUID, data: schemas.CaseAction, cases: CaseService, if_match: IfMatch = None
    ) -> Response[schemas.SupportCase]:
        return _case(await cases.respond(case_id, _optional_if_match(if_match), data))

    @post(
        "/support-cases/{case_id:uuid}/escalate",
        summary="Escalate a case: the account owner's manager gets a task (If-Match optional)",
        responses=ACTION,
        status_code=200,
    )
    async def escalate_case(
        self, case_id: uuid.UUID, data: schemas.CaseEscalation, cases: CaseService, if_match: IfMatch = None
    ) -> Response[schemas.SupportCase]:
        return _case(await cases.escalate(case_id, _optional_if_match(if_match), data))

    @post(
        "/support-cases/{case_id:uuid}/resolve",
        summary="Resolve a case (If-Match optional)",
        responses=ACTION,
        status_code=200,
    )
    async def resolve_case(
        self, case_id: uuid.UUID, data: schemas.CaseAction, cases: CaseService, if_match: IfMatch = None
    ) -> Response[schemas.SupportCase]:
        return _case(await cases.resolve(case_id, _optional_if_match(if_match), data))


class TaskController(Controller):
    path = "/api/v1/tasks"
    tags = ["service desk"]  # noqa: RUF012
    dependencies = {"tasks": Provide(provide_tasks, sync_to_thread=False)}  # noqa: RUF012

    @get("/", summary="The caller's tasks, open first, newest first", responses=READ)
    async def list_tasks(
        self,
        tasks: TaskService,
        status: schemas.TaskStatus | None = None,
        limit: int = DEFAULT_LIMIT,
        cursor: str | None = None,
    ) -> Page[schemas.Task]:
        rows, next_cursor = await tasks.mine(status, check_limit(limit), cursor)
        return Page(items=[to_out(schemas.Task, r) for r in rows], next_cursor=next_cursor)

    @get("/{task_id:uuid}", summary="One task (its assignee or an admin)", responses=READ)
    async def get_task(self, task_id: uuid.UUID, tasks: TaskService) -> schemas.Task:
        return to_out(schemas.Task, await tasks.get(task_id))

    @post(
        "/{task_id:uuid}/complete",
        summary="Mark a task done (its assignee or an admin)",
        responses=problems(401, 404, 409, 413),
        status_code=200,
    )
    async def complete_task(self, task_id: uuid.UUID, tasks: TaskService) -> schemas.Task:
        return to_out(schemas.Task, await tasks.close(task_id, "done"))

    @post(
        "/{task_id:uuid}/cancel",
        summary="Cancel a task (its assignee or an admin)",
        responses=problems(401, 404, 409, 413),
        status_code=200,
    )
    async def cancel_task(self, task_id: uuid.UUID, tasks: TaskService) -> schemas.Task:
        return to_out(schemas.Task, await tasks.close(task_id, "cancelled"))
