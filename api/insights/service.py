"""Insights for the caller: every figure over the deals within their reach only."""

from __future__ import annotations

from dataclasses import asdict

from sqlalchemy.ext.asyncio import AsyncSession

from api.insights import schemas
from api.insights.funnel import compute_funnel
from api.insights.records import Scope, load_deals, org_currency, org_stages
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
