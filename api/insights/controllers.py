"""Insights over HTTP: the funnel, the forecast and the bottlenecks of what the caller may see."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from litestar import Controller, get
from litestar.di import Provide
from litestar.params import QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from api.insights import schemas
from api.insights.records import Scope
from api.insights.service import InsightsService
from api.lib.auth import Principal
from api.lib.errors import READ, problems


def provide_service(db: AsyncSession, principal: Principal) -> InsightsService:
    return InsightsService(db, principal)


class InsightsController(Controller):
    path = "/api/v1/insights"
    tags = ["insights"]  # noqa: RUF012
    dependencies = {"insights": Provide(provide_service, sync_to_thread=False)}  # noqa: RUF012

    @get(
        "/funnel",
        summary="Funnel of the deals created in a period (stages, conversion, dwell, win rate)",
        responses=READ,
    )
    async def funnel(
        self,
        insights: InsightsService,
        start: Annotated[
            date | None, QueryParameter(name="from", description="first creation date of the cohort (inclusive)")
        ] = None,
        end: Annotated[
            date | None, QueryParameter(name="to", description="last creation date of the cohort (inclusive)")
        ] = None,
        team_id: uuid.UUID | None = None,
        owner_id: uuid.UUID | None = None,
    ) -> schemas.FunnelOut:
        return await insights.funnel(Scope(start, end, team_id, owner_id))

    @get(
        "/forecast",
        summary="Forecast of a month or quarter: weighted pipeline and a model from the org's own history",
        responses=READ,
    )
    async def forecast(
        self,
        insights: InsightsService,
        period: Annotated[str, QueryParameter(description="YYYY-MM or YYYY-Qn", max_length=10)],
    ) -> schemas.ForecastOut:
        return await insights.forecast(period)

    @get(
        "/forecast/accuracy",
        summary="Weekly forecast snapshots of past periods against what was actually won (admins)",
        responses=problems(401, 403, 404, 422),
    )
    async def forecast_accuracy(
        self,
        insights: InsightsService,
        start: Annotated[
            date | None, QueryParameter(name="from", description="first period end to report (default: a year ago)")
        ] = None,
        end: Annotated[
            date | None, QueryParameter(name="to", description="last period end to report (default: today)")
        ] = None,
    ) -> schemas.ForecastAccuracyOut:
        return await insights.forecast_accuracy(start, end)

    @get(
        "/bottlenecks",
        summary="Open stages whose backlog or dwell is well above their own history: stuck deals and whom to help",
        responses=READ,
    )
    async def bottlenecks(
        self, insights: InsightsService, team_id: uuid.UUID | None = None, owner_id: uuid.UUID | None = None
    ) -> schemas.BottlenecksOut:
        return await insights.bottlenecks(team_id, owner_id)
