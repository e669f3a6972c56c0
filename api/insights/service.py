"""Insights for the caller: every figure over the deals within their reach only."""

from __future__ import annotations

from dataclasses import asdict

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from api.insights import forecast as forecasting
from api.insights import schemas
from api.insights.forecast import (
    MIN_HISTORY,
    History,
    compute_forecast,
    now_in_days,
    parse_period,
    split_for_period,
)
from api.insights.funnel import compute_funnel
from api.insights.records import Scope, day_number, load_deals, org_currency, org_stages
from api.lib.auth import Principal
from api.lib.errors import field_error
from api.lib.i18n import t


class InsightsService:
    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        self.session = session
        self.principal = principal

    async def funnel(self, scope: Scope) -> schemas.FunnelOut:
        if scope.start and scope.end and scope.start > scope.end:
            raise field_error("from", "after_to", t("“from” is after “to”.", "“from”晚于“to”。"))
        org_id = self.principal.org_id
        stages = await org_stages(self.session, org_id)
        deals = await load_deals(self.session, self.principal, scope)
        result = compute_funnel(deals, stages, await org_currency(self.session, org_id))
        figures = asdict(result)
        figures["stages"] = [schemas.FunnelStage(**s) for s in figures["stages"]]
        return schemas.FunnelOut(
            start=scope.start, end=scope.end, team_id=scope.team_id, owner_id=scope.owner_id, **figures
        )

    async def forecast(self, period_text: str) -> schemas.ForecastOut:
        """The weighted pipeline and the history model of a month or quarter, over the caller's deals."""
        period = parse_period(period_text)
        if period is None:
            raise field_error("period", "invalid", t("Use YYYY-MM or YYYY-Qn.", "请使用 YYYY-MM 或 YYYY-Qn 格式。"))
        org_id = self.principal.org_id
        stages = await org_stages(self.session, org_id)
        kinds = {s.key: s.kind for s in stages}
        deals = await load_deals(self.session, self.principal, Scope(), with_products=True)
        pipeline, closed, won = split_for_period(deals, kinds, period)
        if self.principal.visible_owner_ids is not None:
            # Rates come from the whole org's history; only aggregates of it are returned.
            everyone = msgspec.structs.replace(self.principal, visible_owner_ids=None)
            closed = split_for_period(await load_deals(self.session, everyone, Scope(), with_products=True),
                                      kinds, period)[1]  # fmt: skip
        moment = forecasting.utc_now()
        result = compute_forecast(
            pipeline, History.learn(closed, kinds), stages, await org_currency(self.session, org_id),
            now=now_in_days(moment), start=day_number(period.start), end=day_number(period.end) + 1, won=won,
        )  # fmt: skip
        return schemas.ForecastOut(
            period=period.label, start=period.start, end=period.end, as_of=moment, currency=result.currency,
            count=result.count, amount=result.amount, weighted=result.weighted_amount, model=result.model_amount,
            won_so_far=result.won_so_far_amount, won_so_far_count=result.won_so_far_count,
            other_currency=result.other_currency, min_history=MIN_HISTORY,
            rows=[schemas.ForecastRow(**asdict(r)) for r in result.rows],
        )  # fmt: skip
