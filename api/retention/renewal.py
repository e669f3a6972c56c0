"""Renewal timing for the caller: the org's past renewals teach the lead time, applied to the contracts in reach.

The history is the whole org's (only its aggregates are returned), as the forecast learns from the whole org;
the upcoming contracts are those of the accounts the caller may see.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.contracts.service import visible_contracts
from api.db.models import Account, Contract
from api.lib.auth import Principal
from api.lib.i18n import Text, render, t
from api.retention import renewal_schemas as out
from api.retention.cross_sell import local_today
from api.retention.renewal_timing import (
    DEFAULT_WEEKS,
    MIN_BUCKET,
    MIN_HISTORY,
    Bucket,
    Outcome,
    Timing,
    learn,
    start_week,
)


def _label(bucket: Bucket) -> str:
    if bucket.late:
        return "after end"
    return f"{bucket.min_weeks}+" if bucket.max_weeks is None else f"{bucket.min_weeks}-{bucket.max_weeks}"


def _bucket_out(bucket: Bucket) -> out.LeadBucket:
    rate = bucket.rate
    return out.LeadBucket(
        label=_label(bucket), min_weeks=None if bucket.late else bucket.min_weeks,
        max_weeks=None if bucket.late else bucket.max_weeks, after_end=bucket.late, renewed=bucket.renewed,
        not_renewed=bucket.not_renewed, total=bucket.total, rate=round(float(rate), 4) if rate is not None else None,
    )  # fmt: skip


async def org_timing(session: AsyncSession, org_id: uuid.UUID) -> Timing:
    """What the org's past renewals say about when to begin talks."""
    stmt = select(Contract.ends_on, Contract.renewal_started_on, Contract.status).where(
        Contract.org_id == org_id, Contract.status.in_(("renewed", "expired"))
    )
    rows = await session.execute(stmt)
    return learn([Outcome(ends_on, started, status == "renewed") for ends_on, started, status in rows])


class RenewalService:
    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        self.session = session
        self.principal = principal
        self.today = local_today(principal)

    async def upcoming(self, within_days: int, locale: str) -> out.Renewals:
        """Active contracts in reach ending within ``within_days``, each with the week to begin renewal talks."""
        timing = await org_timing(self.session, self.principal.org_id)
        last_day = self.today + timedelta(days=within_days)
        stmt = (
            visible_contracts(self.principal)
            .add_columns(Account.name)
            .where(Contract.status == "active", Contract.ends_on >= self.today, Contract.ends_on <= last_day)
            .order_by(Contract.ends_on, Contract.id)
        )
        items = [self._item(contract, name, timing, locale) for contract, name in await self.session.execute(stmt)]
        items.sort(key=lambda i: (i.recommended_week_start, i.ends_on, str(i.contract_id)))
        note, params = _note(timing)
        return out.Renewals(
            as_of=self.today,
            within_days=within_days,
            basis=timing.basis,
            weeks_before=timing.weeks_before,
            note=render(note, locale, **params),
            history=out.RenewalHistory(
                outcomes=timing.outcomes,
                with_start=timing.with_start,
                renewed_without_start=timing.renewed_without_start,
                not_renewed_without_start=timing.not_renewed_without_start,
                min_bucket=MIN_BUCKET,
                min_history=MIN_HISTORY,
                buckets=[_bucket_out(b) for b in timing.buckets],
                best=_bucket_out(timing.best) if timing.best else None,
            ),
            items=items,
        )

    def _item(self, contract: Contract, account_name: str, timing: Timing, locale: str) -> out.UpcomingRenewal:
        """One upcoming contract with its week to begin talks and the reason."""
        week, overdue = start_week(contract.ends_on, timing.weeks_before, self.today)
        started = contract.renewal_started_on is not None
        text, params = _reason(timing, week, contract.ends_on, started, overdue, contract.renewal_started_on)
        return out.UpcomingRenewal(
            contract_id=contract.id, account_id=contract.account_id, account_name=account_name,
            product_id=contract.product_id, name=contract.name, amount=contract.amount, currency=contract.currency,
            ends_on=contract.ends_on, days_left=(contract.ends_on - self.today).days,
            renewal_started_on=contract.renewal_started_on, started=started, recommended_week_start=week,
            recommended_weeks_before=timing.weeks_before, overdue=overdue and not started,
            reason=render(text, locale, **params), reason_en=render(text, "en", **params),
            reason_zh=render(text, "zh-CN", **params),
        )  # fmt: skip


def _note(timing: Timing) -> tuple[Text, dict[str, object]]:
    """What the recommendation rests on: the best bucket's figures, or the default and why."""
    if timing.best is None:
        return t(
            "Fewer than {min_history} past renewals with a recorded start (or no lead time with {min_bucket}): "
            "using the default of {weeks} weeks before the end.",
            "有记录开始日期的历史续约少于 {min_history} 个（或没有任何提前期达到 {min_bucket} 个）：采用默认值，"
            "在到期前 {weeks} 周开始。",
        ), {"min_history": MIN_HISTORY, "min_bucket": MIN_BUCKET, "weeks": DEFAULT_WEEKS}
    best = timing.best
    return t(
        "Renewal talks begun {label} weeks before the end renewed best: {renewed} of {total} ({pct}%).",
        "到期前 {label} 周开始续约沟通的续约率最高：{total} 个中续约 {renewed} 个（{pct}%）。",
    ), {"label": _label(best), "renewed": best.renewed, "total": best.total, "pct": _pct(best)}


def _pct(bucket: Bucket) -> str:
    return f"{float(bucket.rate or 0) * 100:.0f}"


def _reason(
    timing: Timing, week: date, ends_on: date, started: bool, overdue: bool, started_on: date | None
) -> tuple[Text, dict[str, object]]:
    """Why this week: talks already begun, the week already passed, or the week to begin."""
    params: dict[str, object] = {"week": week.isoformat(), "ends": ends_on.isoformat(), "weeks": timing.weeks_before}
    if started:
        return t(
            "Renewal talks began on {started}; the contract ends on {ends}.",
            "续约沟通已于 {started} 开始；合同于 {ends} 到期。",
        ), {**params, "started": started_on.isoformat() if started_on else ""}
    if overdue:
        return t(
            "Begin renewal talks now: the best week ({weeks} weeks before the end on {ends}) has passed.",
            "请立即开始续约沟通：最佳时机（到期日 {ends} 前 {weeks} 周）已过。",
        ), params
    return t(
        "Begin renewal talks in the week of {week}, {weeks} weeks before the end on {ends}.",
        "请在 {week} 这一周开始续约沟通，即到期日 {ends} 前 {weeks} 周。",
    ), params
