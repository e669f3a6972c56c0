from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from litestar import Controller, Response, get, post
from litestar.di import Provide
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from api.lib.auth import Principal
from api.lib.concurrency import etag
from api.lib.errors import PROBLEM_MEDIA_TYPE, READ, WRITE, Problem, problems
from api.lib.pagination import DEFAULT_LIMIT, Page, check_limit
from api.visits import present, schemas
from api.visits.onsite import OnSiteService
from api.visits.service import VisitService

# Acting on a visit or plan of someone else within reach (a manager on a rep's) is refused with 403.
FORBIDDEN = ResponseSpec(
    data_container=Problem, description="Not the caller's own visit or plan", media_type=PROBLEM_MEDIA_TYPE
)
ACT = {**problems(401, 404, 409, 413, 422), 403: FORBIDDEN}


def provide_visits(db: AsyncSession, principal: Principal) -> VisitService:
    return VisitService(db, principal)


def provide_onsite(db: AsyncSession, principal: Principal) -> OnSiteService:
    return OnSiteService(db, principal)


class VisitController(Controller):
    path = "/api/v1/visits"
    tags = ["visits"]  # noqa: RUF012
    dependencies = {  # noqa: RUF012
        "visits": Provide(provide_visits, sync_to_thread=False),
        "onsite": Provide(provide_onsite, sync_to_thread=False),
    }

    @post(
        "/plan",
        summary="Plan the caller's day: the best order, arrival times, the break, what was left out",
        responses=WRITE,
    )
    async def plan_day(self, data: schemas.PlanRequest, visits: VisitService) -> schemas.Plan:
        return present.plan(await visits.plan_day(data))

    @post(
        "/plan-week",
        summary="Plan several days at once: one route per day, visits spread by frequency",
        responses=WRITE,
    )
    async def plan_week(self, data: schemas.WeekPlanRequest, visits: VisitService) -> schemas.WeekPlan:
        week_id, saved, dropped, runtime_ms = await visits.plan_week(data)
        days = [present.plan(s) for s in saved]
        source = saved[0].travel_source if saved else "geodesic"
        return schemas.WeekPlan(
            week_id=week_id,
            days=days,
            dropped=present.dropped(dropped),
            total_travel_s=sum(d.total_travel_s for d in days),
            solver=schemas.SolverInfo(name="pyvrp", runtime_ms=runtime_ms, travel_source=source),
        )

    @get("/plans/{plan_id:uuid}", summary="A saved plan with its visits", responses=READ)
    async def get_plan(self, plan_id: uuid.UUID, visits: VisitService) -> Response[schemas.Plan]:
        out = present.plan(await visits.get_plan(plan_id))
        return Response(out, headers={"ETag": etag(out.version)})

    @post(
        "/plans/{plan_id:uuid}/replan",
        status_code=200,
        responses=ACT,
        summary="Re-plan the rest of the day from where the rep stands, keeping what is done",
    )
    async def replan(self, plan_id: uuid.UUID, data: schemas.ReplanRequest, visits: VisitService) -> schemas.Plan:
        return present.plan(await visits.replan(plan_id, data))

    @get("/", summary="Visits the caller may see, in planned order (a manager sees the team's)", responses=READ)
    async def list_visits(
        self,
        visits: VisitService,
        limit: int = DEFAULT_LIMIT,
        cursor: str | None = None,
        day: Annotated[date | None, QueryParameter(name="date", description="local date, YYYY-MM-DD")] = None,
        owner_id: uuid.UUID | None = None,
        status: schemas.VisitStatus | None = None,
    ) -> Page[schemas.Visit]:
        rows, next_cursor = await visits.list_visits(check_limit(limit), cursor, day, owner_id, status)
        return Page(items=[present.visit(v, mode) for v, mode in rows], next_cursor=next_cursor)

    @get("/candidates", summary="The caller's accounts worth a visit on a day, ranked, with reasons", responses=READ)
    async def list_candidates(
        self,
        visits: VisitService,
        day: Annotated[date, QueryParameter(name="date", description="local date, YYYY-MM-DD")],
    ) -> list[schemas.Candidate]:
        return [present.candidate(c) for c in await visits.candidates(day)]

    @get(
        "/check-ins",
        summary="Check-ins the caller may see, latest first; flagged=true for the suspicious ones",
        responses=READ,
    )
    async def list_check_ins(
        self,
        onsite: OnSiteService,
        limit: int = DEFAULT_LIMIT,
        cursor: str | None = None,
        flagged: bool = False,
        owner_id: uuid.UUID | None = None,
        visit_id: uuid.UUID | None = None,
    ) -> Page[schemas.CheckIn]:
        rows, next_cursor = await onsite.check_ins(check_limit(limit), cursor, flagged, owner_id, visit_id)
        return Page(items=[present.check_in(r) for r in rows], next_cursor=next_cursor)

    @get("/{visit_id:uuid}", summary="One visit", responses=READ)
    async def get_visit(self, visit_id: uuid.UUID, visits: VisitService) -> Response[schemas.Visit]:
        visit, mode = await visits.get_visit(visit_id)
        return Response(present.visit(visit, mode), headers={"ETag": etag(visit.version)})

    @post(
        "/{visit_id:uuid}/check-in",
        summary="Check in at the customer with GPS (offline ones later, with their time)",
        responses=ACT,
    )
    async def check_in(
        self, visit_id: uuid.UUID, data: schemas.CheckInRequest, onsite: OnSiteService
    ) -> schemas.CheckIn:
        return present.check_in(await onsite.check_in(visit_id, data))

    @post(
        "/{visit_id:uuid}/check-out",
        status_code=200,
        responses=ACT,
        summary="Check out with notes and an outcome: a visit activity on the account and its open deals",
    )
    async def check_out(
        self, visit_id: uuid.UUID, data: schemas.CheckOutRequest, onsite: OnSiteService
    ) -> schemas.CheckOut:
        visit, activity_ids = await onsite.check_out(visit_id, data)
        assert visit.checked_out_at is not None and visit.outcome is not None
        return schemas.CheckOut(
            visit_id=visit.id,
            status=visit.status,  # type: ignore[arg-type]
            outcome=visit.outcome,  # type: ignore[arg-type]
            checked_out_at=visit.checked_out_at,
            activity_ids=activity_ids,
        )
