"""Churn risk over HTTP: one account's risk with its reasons, and the caller's customers at risk."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from litestar import Controller, Request, get
from litestar.di import Provide
from litestar.params import Parameter
from sqlalchemy.ext.asyncio import AsyncSession

from api.lib.auth import Principal
from api.lib.errors import READ, locale_of
from api.lib.pagination import DEFAULT_LIMIT, check_limit
from api.retention import churn_schemas as schemas
from api.retention.churn_service import ChurnService


def provide_service(request: Request[Any, Any, Any], db: AsyncSession, principal: Principal) -> ChurnService:
    return ChurnService(db, principal, locale_of(request))


class ChurnController(Controller):
    path = "/api/v1"
    tags = ["retention"]  # noqa: RUF012
    dependencies = {"churn": Provide(provide_service, sync_to_thread=False)}  # noqa: RUF012

    @get(
        "/accounts/{account_id:uuid}/churn-risk",
        summary="A customer's churn risk (0-100) with its reasons, compared with customers already lost",
        responses=READ,
    )
    async def churn_risk(self, account_id: uuid.UUID, churn: ChurnService) -> schemas.ChurnRisk:
        return await churn.account_risk(account_id)

    @get("/insights/churn", summary="The caller's retained customers at risk, riskiest first", responses=READ)
    async def churn_list(
        self,
        churn: ChurnService,
        min_score: Annotated[int, Parameter(ge=0, le=100, description="lowest score listed")] = 30,
        limit: int = DEFAULT_LIMIT,
    ) -> schemas.ChurnList:
        return await churn.at_risk(min_score, check_limit(limit))
