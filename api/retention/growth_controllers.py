"""Growing existing customers over HTTP: cross-sell rules, an account's recommendations, renewal timing."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from litestar import Controller, Request, get
from litestar.di import Provide
from litestar.params import Parameter
from sqlalchemy.ext.asyncio import AsyncSession

from api.lib.auth import Principal
from api.lib.errors import READ, locale_of
from api.retention import cross_sell_schemas, renewal_schemas
from api.retention.cross_sell import CrossSellService, Thresholds
from api.retention.renewal import RenewalService

MinSupport = Annotated[
    float, Parameter(gt=0, le=1, description="share of customers owning the whole itemset (0 < s ≤ 1)")
]
MinConfidence = Annotated[float, Parameter(ge=0, le=1, description="share of X's owners who also own y")]
MinLift = Annotated[float, Parameter(ge=0, le=1000, description="keep rules whose lift is above this")]


def provide_cross_sell(db: AsyncSession, principal: Principal) -> CrossSellService:
    return CrossSellService(db, principal)


def provide_renewals(db: AsyncSession, principal: Principal) -> RenewalService:
    return RenewalService(db, principal)


class GrowthController(Controller):
    path = "/api/v1"
    tags = ["insights"]  # noqa: RUF012
    dependencies = {  # noqa: RUF012
        "cross_sell": Provide(provide_cross_sell, sync_to_thread=False),
        "renewals": Provide(provide_renewals, sync_to_thread=False),
    }

    @get(
        "/insights/cross-sell/rules",
        summary="Association rules over what the org's customers own (support, confidence, lift)",
        responses=READ,
    )
    async def cross_sell_rules(
        self,
        cross_sell: CrossSellService,
        min_support: MinSupport = 0.1,
        min_confidence: MinConfidence = 0.5,
        min_lift: MinLift = 1.0,
        limit: Annotated[int, Parameter(ge=1, le=200)] = 50,
    ) -> cross_sell_schemas.Rules:
        return await cross_sell.rules(Thresholds(min_support, min_confidence, min_lift), limit)

    @get(
        "/accounts/{account_id:uuid}/recommendations",
        summary="What to offer this customer next (next tier, tenure and association rules), with the evidence",
        responses=READ,
    )
    async def recommendations(
        self,
        request: Request[Any, Any, Any],
        account_id: uuid.UUID,
        cross_sell: CrossSellService,
        min_support: MinSupport = 0.1,
        min_confidence: MinConfidence = 0.5,
        min_lift: MinLift = 1.0,
        usage_threshold: Annotated[
            float, Parameter(gt=0, le=10, description="propose the next tier at this share of the tier's limit")
        ] = 0.9,
    ) -> cross_sell_schemas.Recommendations:
        thresholds = Thresholds(min_support, min_confidence, min_lift)
        return await cross_sell.recommendations(account_id, thresholds, usage_threshold, locale_of(request))

    @get(
        "/insights/renewals",
        summary="Contracts in reach ending soon, with the best week to begin renewal talks from past renewals",
        responses=READ,
    )
    async def renewals(
        self,
        request: Request[Any, Any, Any],
        renewals: RenewalService,
        within_days: Annotated[
            int, Parameter(ge=1, le=730, description="contracts ending within this many days")
        ] = 120,
    ) -> renewal_schemas.Renewals:
        return await renewals.upcoming(within_days, locale_of(request))
