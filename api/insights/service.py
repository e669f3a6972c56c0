"""Insights for the caller: every figure over the deals within their reach only."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.db.models import Opportunity
from api.insights import forecast as forecasting
from api.insights import schemas
from api.insights.bottlenecks import find_bottlenecks, suggestion
from api.insights.forecast import MIN_HISTORY, forecast_of, parse_period
from api.insights.funnel import compute_funnel
from api.insights.records import Scope, org_currency, org_stages, scoped
from api.insights.snapshots import BASES, accuracy_report
from api.lib.auth import Principal
from api.lib.errors import field_error, forbidden
from api.lib.i18n import DEFAULT_LOCALE, normalise_locale, render, t

MAX_REPORT_DAYS = 5 * 366


class InsightsService:
    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        self.session = session
        self.principal = principal

    async def funnel(self, scope: Scope) -> schemas.FunnelOut:
        if scope.start and scope.end and scope.start > scope.end:
            raise field_error("from", "after_to", t("“from” is after “to”.", "“from”晚于“to”。"))
        org_id = self.principal.org_id
        stages = await org_stages(self.session, org_id)
        in_scope = scoped(select(Opportunity), self.principal, scope)
        whole_org = self.principal.visible_owner_ids is None and scope == Scope()
        currency = await org_currency(self.session, org_id)
        result = await compute_funnel(self.session, in_scope, org_id, stages, currency, whole_org=whole_org)
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
        moment = forecasting.utc_now()
        result = await forecast_of(self.session, self.principal, period, moment)
        return schemas.ForecastOut(
            period=period.label, start=period.start, end=period.end, as_of=moment, currency=result.currency,
            count=result.count, amount=result.amount, weighted=result.weighted_amount, model=result.model_amount,
            won_so_far=result.won_so_far_amount, won_so_far_count=result.won_so_far_count,
            other_currency=result.other_currency, min_history=MIN_HISTORY,
            rows=[schemas.ForecastRow(**asdict(r)) for r in result.rows],
        )  # fmt: skip

    async def bottlenecks(self, team_id: uuid.UUID | None, owner_id: uuid.UUID | None) -> schemas.BottlenecksOut:
        """The flagged stages among the caller's deals (optionally one team's or owner's)."""
        org_id = self.principal.org_id
        stages = await org_stages(self.session, org_id)
        in_scope = scoped(select(Opportunity), self.principal, Scope(team_id=team_id, owner_id=owner_id))
        whole_org = self.principal.visible_owner_ids is None and team_id is None and owner_id is None
        moment = forecasting.utc_now()
        lang = normalise_locale(self.principal.locale) or DEFAULT_LOCALE
        items = [
            schemas.Bottleneck(
                stage=b.stage, name=b.name_zh if lang == "zh-CN" else b.name_en, reasons=b.reasons,
                backlog=b.backlog, backlog_baseline=b.backlog_baseline, weekly_backlog=b.weekly_backlog,
                median_age_days=b.median_age_days, p75_dwell_days=b.p75_dwell_days, dwell_samples=b.dwell_samples,
                stuck_count=b.stuck_count, stuck_amount=b.stuck_amount,
                stuck=[schemas.StuckDeal(**asdict(d)) for d in b.stuck],
                help=[schemas.OwnerToHelp(**asdict(o)) for o in b.help], suggestion=render(suggestion(b), lang),
            )
            for b in await find_bottlenecks(self.session, in_scope, org_id, stages, moment, whole_org=whole_org)
        ]  # fmt: skip
        return schemas.BottlenecksOut(as_of=moment, team_id=team_id, owner_id=owner_id, items=items)

    async def forecast_accuracy(self, start: date | None, end: date | None) -> schemas.ForecastAccuracyOut:
        """The org's weekly snapshots of periods that ended in [start, end], against what was won (admins only)."""
        if not self.principal.is_admin:
            raise forbidden()
        today = forecasting.utc_now().astimezone(ZoneInfo(self.principal.timezone)).date()
        end = end or today
        start = start or (end - timedelta(days=365) if end > date.min + timedelta(days=365) else date.min)
        if start > end:
            raise field_error("from", "after_to", t("“from” is after “to”.", "“from”晚于“to”。"))
        if (end - start).days > MAX_REPORT_DAYS:
            raise field_error("to", "too_long", t("At most five years at once.", "一次最多查询五年。"))
        org_id = self.principal.org_id
        stages = await org_stages(self.session, org_id)
        report = await accuracy_report(self.session, org_id, start, end, today, stages)
        items = [
            schemas.ForecastAccuracyItem(
                period=a.snapshot.period, start=a.snapshot.period_start, end=a.snapshot.period_end,
                basis=a.snapshot.basis, week_start=a.snapshot.week_start, taken_at=a.snapshot.taken_at,
                currency=a.snapshot.currency, forecast=a.snapshot.amount, pipeline_amount=a.snapshot.pipeline_amount,
                actual=a.actual, actual_count=a.actual_count, accuracy=a.accuracy,
            )
            for a in report
        ]  # fmt: skip
        summary = []
        for basis in BASES:
            scored = [i.accuracy for i in items if i.basis == basis and i.accuracy is not None]
            mean = round(sum(scored) / len(scored), 4) if scored else None
            summary.append(
                schemas.ForecastAccuracySummary(
                    basis=basis, snapshots=sum(i.basis == basis for i in items), mean_accuracy=mean
                )
            )
        return schemas.ForecastAccuracyOut(start=start, end=end, items=items, summary=summary)
