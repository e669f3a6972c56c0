"""The forecast of a month or quarter: the weighted pipeline, and a model from the org's own history.

Definitions, so that every figure can be recomputed by hand:

- The *pipeline* of a period: open deals whose close date falls in it. ``weighted`` = Σ amount × the stage's
  probability.
- *History* (as of the forecast's moment, whole org): closed (won or lost) deals and the open stages they were
  in. The win rate of stage S is, of the closed deals that were ever in S, the share won. When a deal's product
  (else its owner) has at least ``min_history`` closed deals that were in S, their own rate is used instead
  (basis ``stage+product``, ``stage+owner``); with no history at all for S, the stage's probability stands in
  (basis ``probability``).
- *Close share*: the chance that a deal in S for ``age`` days closes within the rest of the period. Every deal
  that entered S gives one observation, counted from its first entry: a closed deal its cycle (days to its
  close), an open deal its age so far, *censored* (it has not closed yet, and may never). Kaplan–Meier over them
  gives ``G(x)``, the chance that a deal in S is still unclosed x days after entering:
  ``G(x) = Π over cycle lengths t < x of (1 − closed at t ÷ observations ≥ t)``, and the close share is
  ``(G(low) − G(high)) ÷ G(age)`` for the period's remaining days [low, high) counted from entering S.
  Counting open deals is what makes the model see deals that stall: each open deal keeps the risk set large
  without closing, so the chance of closing at a given age falls. Without open deals this is exactly
  ``#{cycles in [low, high)} ÷ #{cycles ≥ age}``. A deal older than every cycle seen is *stale*: no closed deal
  ever took that long, so it counts 0 (and is counted in ``stale``); with no cycles at all, the close date is
  trusted (share 1).
- ``model`` = Σ amount × win rate × close share. ``won_so_far``: deals won with a close in the period.
- Amounts add up deals in the org's currency only; ``other_currency`` counts those left out.
"""

from __future__ import annotations

import re
import uuid
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import and_, case, func, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.db.models import LineItem, Opportunity, Stage, StageHistory
from api.insights.records import (
    EPOCH,
    Deal,
    Scope,
    day_number,
    epoch_days,
    load_deals,
    org_currency,
    org_stages,
    scoped,
)
from api.lib.auth import Principal

MIN_HISTORY = 20
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")


def utc_now() -> datetime:
    """The clock of the forecast (a seam for tests)."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class Period:
    label: str
    start: date  # first day
    end: date  # last day (inclusive)


def parse_period(text: str) -> Period | None:
    """``YYYY-MM`` or ``YYYY-Qn``; None when malformed or outside the calendar's years (1–9998)."""
    try:
        return _parse_period(text)
    except ValueError:  # year 0, or a period ending after 9999-12-31
        return None


def _parse_period(text: str) -> Period | None:
    if match := _MONTH.match(text):
        year, month = int(match[1]), int(match[2])
        return Period(text, date(year, month, 1), _next_month(year, month) - timedelta(days=1))
    if match := _QUARTER.match(text.upper()):
        year, quarter = int(match[1]), int(match[2])
        first = 3 * quarter - 2
        return Period(text.upper(), date(year, first, 1), _next_month(year, first + 2) - timedelta(days=1))
    return None


def _next_month(year: int, month: int) -> date:
    return date(year + month // 12, month % 12 + 1, 1)


@dataclass
class _Tally:
    won: int = 0
    closed: int = 0


@dataclass
class Survival:
    """Kaplan–Meier over one stage's observations: cycles of closed deals, censored ages of open ones."""

    cycles: list[float]  # sorted
    censored: list[float]  # sorted
    times: list[float] = field(default_factory=list)  # distinct cycle lengths, ascending
    unclosed: list[float] = field(default_factory=list)  # unclosed[k] = G just after the k-th time; G before all = 1

    def __post_init__(self) -> None:
        g, index = 1.0, 0
        while index < len(self.cycles):
            t = self.cycles[index]
            closed = _run(self.cycles, index)
            at_risk = len(self.cycles) - index + len(self.censored) - bisect_left(self.censored, t)
            g *= 1 - closed / at_risk
            self.times.append(t)
            self.unclosed.append(g)
            index += closed

    def still_open(self, x: float) -> float:
        """G(x): the chance a deal that entered the stage has not closed x days later."""
        k = bisect_left(self.times, x)  # cycle lengths strictly below x
        return self.unclosed[k - 1] if k else 1.0


def _run(values: list[float], index: int) -> int:
    """How many values equal values[index], from index on (values sorted)."""
    end = index + 1
    while end < len(values) and values[end] == values[index]:
        end += 1
    return end - index


@dataclass
class History:
    """Win rates per stage (and per stage and product or owner) and close timing per stage, from the org's deals."""

    min_history: int = MIN_HISTORY
    stage: dict[str, _Tally] = field(default_factory=lambda: defaultdict(_Tally))
    product: dict[tuple[str, uuid.UUID], _Tally] = field(default_factory=lambda: defaultdict(_Tally))
    owner: dict[tuple[str, uuid.UUID], _Tally] = field(default_factory=lambda: defaultdict(_Tally))
    survival: dict[str, Survival] = field(default_factory=dict)

    def win_rate(self, deal: Deal, stage: str, probability: int) -> tuple[str, float, int]:
        """(basis, win rate, closed deals behind it) for an open deal in a stage."""
        if deal.product_id is not None and (t := self.product.get((stage, deal.product_id))):
            if t.closed >= self.min_history:
                return "stage+product", t.won / t.closed, t.closed
        if (t := self.owner.get((stage, deal.owner_id))) and t.closed >= self.min_history:
            return "stage+owner", t.won / t.closed, t.closed
        if (t := self.stage.get(stage)) and t.closed:
            return "stage", t.won / t.closed, t.closed
        return "probability", probability / 100, 0

    def is_stale(self, stage: str, age: float) -> bool:
        """Older in the stage than every closed deal's cycle from it."""
        survival = self.survival.get(stage)
        return survival is not None and bool(survival.cycles) and age > survival.cycles[-1]

    def close_share(self, stage: str, entered: float, now: float, start: float, end: float) -> float:
        """The chance a deal in ``stage`` since ``entered`` (not closed by ``now``) closes in [start, end)."""
        survival = self.survival.get(stage)
        if survival is None or not survival.cycles:
            return 1.0
        alive = survival.still_open(now - entered)
        low, high = max(start, now) - entered, end - entered
        if alive <= 0.0 or high <= low:
            return 0.0
        return max(0.0, survival.still_open(low) - survival.still_open(high)) / alive


async def learn_history(
    session: AsyncSession,
    org_id: uuid.UUID,
    stages: Sequence[Stage],
    as_of: datetime,
    *,
    min_history: int = MIN_HISTORY,
    censored: bool = True,
) -> History:
    """What the org's deals teach as of ``as_of``: only stays entered and closes made before it count.

    ``censored=False`` leaves the open deals out of the close timing (the model before it learned about stalls;
    kept for the backtest's comparison).
    """
    dialect = session.bind.dialect.name
    open_keys = [s.key for s in stages if s.kind == "open"]
    won_keys = [s.key for s in stages if s.kind == "won"]
    closed_keys = [s.key for s in stages if s.kind in ("won", "lost")]
    history = History(min_history)
    if not open_keys:
        return history
    firsts = (
        select(
            StageHistory.opportunity_id.label("opportunity_id"),
            StageHistory.stage.label("stage"),
            func.min(StageHistory.entered_at).label("entered"),
        )
        .where(StageHistory.org_id == org_id, StageHistory.stage.in_(open_keys), StageHistory.entered_at < as_of)
        .group_by(StageHistory.opportunity_id, StageHistory.stage)
        .subquery()
    )
    entered = epoch_days(firsts.c.entered, dialect)
    product = (
        select(LineItem.product_id)
        .where(LineItem.opportunity_id == Opportunity.id)
        .order_by(LineItem.position)
        .limit(1)
        .scalar_subquery()
    )
    live = and_(
        firsts.c.opportunity_id == Opportunity.id, Opportunity.org_id == org_id, Opportunity.deleted_at.is_(None)
    )
    closed = and_(live, Opportunity.stage.in_(closed_keys), Opportunity.closed_at < as_of)
    outcomes = (
        select(
            firsts.c.stage.label("stage"),
            product.label("product_id"),
            Opportunity.owner_id.label("owner_id"),
            case((Opportunity.stage.in_(won_keys), 1), else_=0).label("won"),
        )
        .where(closed)
        .subquery()
    )
    tallies = select(
        outcomes.c.stage, outcomes.c.product_id, outcomes.c.owner_id, func.count(), func.sum(outcomes.c.won)
    ).group_by(outcomes.c.stage, outcomes.c.product_id, outcomes.c.owner_id)
    for stage, product_id, owner_id, count, won in await session.execute(tallies):
        keys = [history.stage[stage], history.owner[(stage, owner_id)]]
        if product_id is not None:
            keys.append(history.product[(stage, product_id)])
        for tally in keys:
            tally.closed += count
            tally.won += int(won or 0)
    # One pass for both kinds of observation: a closed deal's cycle, an open deal's age so far (censored).
    cycles: dict[str, list[float]] = defaultdict(list)
    ages: dict[str, list[float]] = defaultdict(list)
    closed_before = and_(Opportunity.stage.in_(closed_keys), Opportunity.closed_at < as_of)
    still_open = or_(
        and_(Opportunity.closed_at.is_(None), Opportunity.stage.in_(open_keys)), Opportunity.closed_at >= as_of
    )
    observed = case(
        (closed_before, epoch_days(Opportunity.closed_at, dialect) - entered),
        else_=literal(now_in_days(as_of)) - entered,
    )
    observations = select(firsts.c.stage, closed_before, observed).where(
        live, or_(closed_before, still_open) if censored else closed_before
    )
    for stage, is_cycle, value in await session.execute(observations):
        (cycles if is_cycle else ages)[stage].append(float(value))
    for stage in cycles.keys() | ages.keys():
        history.survival[stage] = Survival(sorted(cycles[stage]), sorted(ages[stage]))
    return history


@dataclass
class ForecastRow:
    stage: str
    basis: str
    product_id: uuid.UUID | None
    owner_id: uuid.UUID | None
    count: int = 0
    amount: int = 0
    probability: int = 0
    weighted_amount: int = 0
    win_rate: float = 0.0
    history_deals: int = 0
    close_share: float = 0.0
    stale: int = 0
    model_amount: float = 0.0


@dataclass
class Forecast:
    rows: list[ForecastRow]
    count: int
    amount: int
    weighted_amount: int
    model_amount: int
    won_so_far_count: int
    won_so_far_amount: int
    currency: str
    other_currency: int


@dataclass(frozen=True)
class Won:
    """Deals won with a close in the period: in the org's currency (count, amount) and in others."""

    count: int = 0
    amount: int = 0
    other_currency: int = 0


def entered_current_stage(deal: Deal) -> float:
    """When the deal entered the stage it sits in (its creation when no stay says so)."""
    for stage, entered, left in reversed(deal.stays):
        if stage == deal.stage and left is None:
            return entered
    return deal.created


def compute_forecast(
    pipeline: Sequence[Deal],
    history: History,
    stages: Sequence[Stage],
    currency: str,
    *,
    now: float,
    start: float,
    end: float,
    won: Won | None = None,
) -> Forecast:
    """The forecast of [start, end) (days since the epoch) for open deals, as of ``now``."""
    probability = {s.key: s.probability for s in stages}
    order = {s.key: s.position for s in stages}
    rows: dict[tuple[str, str, uuid.UUID | None], ForecastRow] = {}
    other = 0
    for deal in pipeline:
        if deal.currency != currency:
            other += 1
            continue
        chance = probability.get(deal.stage, deal.probability)
        basis, rate, samples = history.win_rate(deal, deal.stage, chance)
        key_id = deal.product_id if basis == "stage+product" else deal.owner_id if basis == "stage+owner" else None
        row = rows.get((deal.stage, basis, key_id))
        if row is None:
            product_id = key_id if basis == "stage+product" else None
            owner_id = key_id if basis == "stage+owner" else None
            row = rows[(deal.stage, basis, key_id)] = ForecastRow(deal.stage, basis, product_id, owner_id)
            row.probability, row.win_rate, row.history_deals = chance, round(rate, 4), samples
        entered = entered_current_stage(deal)
        share = history.close_share(deal.stage, entered, now, start, end)
        row.stale += history.is_stale(deal.stage, now - entered)
        row.count += 1
        row.amount += deal.amount
        row.weighted_amount += deal.amount * chance // 100
        row.model_amount += deal.amount * rate * share
    ordered = sorted(rows.values(), key=lambda r: (order.get(r.stage, 99), r.basis, str(r.product_id or r.owner_id)))
    for row in ordered:
        row.close_share = (
            round(row.model_amount / (row.amount * row.win_rate), 4) if row.amount and row.win_rate else 0.0
        )
        row.model_amount = round(row.model_amount)
    won = won or Won()
    return Forecast(
        rows=ordered,
        count=sum(r.count for r in ordered),
        amount=sum(r.amount for r in ordered),
        weighted_amount=sum(r.weighted_amount for r in ordered),
        model_amount=round(sum(r.model_amount for r in ordered)),
        won_so_far_count=won.count,
        won_so_far_amount=won.amount,
        currency=currency,
        other_currency=other + won.other_currency,
    )


def now_in_days(moment: datetime) -> float:
    """An instant as days since the epoch."""
    return (moment - datetime.combine(EPOCH, datetime.min.time(), tzinfo=UTC)).total_seconds() / 86400.0


def period_bounds(period: Period) -> tuple[datetime, datetime]:
    """The period as UTC instants [first day 00:00, the day after the last 00:00)."""
    start = datetime.combine(period.start, time.min, tzinfo=UTC)
    return start, datetime.combine(period.end + timedelta(days=1), time.min, tzinfo=UTC)


async def forecast_of(session: AsyncSession, principal: Principal, period: Period, moment: datetime) -> Forecast:
    """The forecast of the deals the principal sees, from the whole org's history as of ``moment``."""
    org_id = principal.org_id
    stages = await org_stages(session, org_id)
    currency = await org_currency(session, org_id)
    open_keys = [s.key for s in stages if s.kind == "open"]
    won_keys = [s.key for s in stages if s.kind == "won"]
    pipeline = await load_deals(
        session, principal, Scope(), with_products=True,
        where=[Opportunity.stage.in_(open_keys), Opportunity.close_date.between(period.start, period.end)],
    )  # fmt: skip
    start, end = period_bounds(period)
    in_currency = Opportunity.currency == currency
    won_stmt = scoped(
        select(func.count(), func.sum(Opportunity.amount).filter(in_currency), func.count().filter(in_currency)),
        principal, Scope(),
    ).where(Opportunity.stage.in_(won_keys), Opportunity.closed_at >= start, Opportunity.closed_at < end)  # fmt: skip
    count, amount, counted = (await session.execute(won_stmt)).one()
    # Rates come from the whole org's history, whoever asks; only aggregates of it are returned.
    history = await learn_history(session, org_id, stages, moment)
    return compute_forecast(
        pipeline, history, stages, currency, now=now_in_days(moment), start=day_number(period.start),
        end=day_number(period.end) + 1, won=Won(counted, int(amount or 0), count - counted),
    )  # fmt: skip
