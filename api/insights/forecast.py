"""The forecast of a month or quarter: the weighted pipeline, and a model from the org's own closed deals.

Definitions, so that every figure can be recomputed by hand:

- The *pipeline* of a period: open deals whose close date falls in it. ``weighted`` = Σ amount × the stage's
  probability.
- *History*: closed (won or lost) deals and their stage stays. The win rate of stage S is, of the closed deals
  that were ever in S, the share won. When a deal's product (else its owner) has at least ``min_history`` closed
  deals that were in S, their own rate is used instead (basis ``stage+product``, ``stage+owner``); with no
  history at all for S, the stage's probability stands in (basis ``probability``).
- *Close share*: the chance that a deal closes within the period, from the cycle lengths of closed deals that
  were in S (days from entering S to closing), given the deal has been in S for its age now without closing:
  ``#{cycles c : start ≤ entered + c < end} / #{cycles c : c ≥ age}``, counting only the part of the period from
  now on. A deal older than every cycle seen is *stale*: no closed deal ever took that long, so it counts 0 (and
  is counted in ``stale``); with no cycles at all, the close date is trusted (share 1).
- ``model`` = Σ amount × win rate × close share. ``won_so_far``: deals won with a close in the period.
- Amounts add up deals in the org's currency only; ``other_currency`` counts those left out.
"""

from __future__ import annotations

import re
import uuid
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from api.db.models import Stage
from api.insights.records import EPOCH, Deal, day_number

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
    """``YYYY-MM`` or ``YYYY-Qn``; None when malformed."""
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
class History:
    """Win rates and cycle lengths per stage (and per stage and product or owner) from closed deals."""

    min_history: int = MIN_HISTORY
    stage: dict[str, _Tally] = field(default_factory=lambda: defaultdict(_Tally))
    product: dict[tuple[str, uuid.UUID], _Tally] = field(default_factory=lambda: defaultdict(_Tally))
    owner: dict[tuple[str, uuid.UUID], _Tally] = field(default_factory=lambda: defaultdict(_Tally))
    cycles: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))

    @classmethod
    def learn(cls, deals: Iterable[Deal], kinds: dict[str, str], min_history: int = MIN_HISTORY) -> History:
        history = cls(min_history)
        for deal in deals:
            outcome = kinds.get(deal.stage)
            if outcome not in ("won", "lost") or deal.closed is None:
                continue
            entered: dict[str, float] = {}
            for stage, at, _ in deal.stays:
                if kinds.get(stage) == "open":
                    entered.setdefault(stage, at)
            for stage, at in entered.items():
                keys = [history.stage[stage]]
                if deal.product_id is not None:
                    keys.append(history.product[(stage, deal.product_id)])
                keys.append(history.owner[(stage, deal.owner_id)])
                for tally in keys:
                    tally.closed += 1
                    tally.won += outcome == "won"
                history.cycles[stage].append(deal.closed - at)
        for values in history.cycles.values():
            values.sort()
        return history

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
        cycles = self.cycles.get(stage)
        return bool(cycles) and age > cycles[-1]

    def close_share(self, stage: str, entered: float, now: float, start: float, end: float) -> float:
        """The chance a deal in ``stage`` since ``entered`` (not closed by ``now``) closes in [start, end)."""
        cycles = self.cycles.get(stage)
        if not cycles:
            return 1.0
        surviving = len(cycles) - bisect_left(cycles, now - entered)
        if surviving == 0:
            return 0.0
        low, high = max(start, now) - entered, end - entered
        if high <= low:
            return 0.0
        return (bisect_left(cycles, high) - bisect_left(cycles, low)) / surviving


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
    won: Sequence[Deal] = (),
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
    counted = [d for d in won if d.currency == currency]
    return Forecast(
        rows=ordered,
        count=sum(r.count for r in ordered),
        amount=sum(r.amount for r in ordered),
        weighted_amount=sum(r.weighted_amount for r in ordered),
        model_amount=round(sum(r.model_amount for r in ordered)),
        won_so_far_count=len(counted),
        won_so_far_amount=sum(d.amount for d in counted),
        currency=currency,
        other_currency=other + len(won) - len(counted),
    )


def split_for_period(
    deals: Sequence[Deal], kinds: dict[str, str], period: Period
) -> tuple[list[Deal], list[Deal], list[Deal]]:
    """(pipeline: open with a close date in the period, history: closed, won in the period)."""
    start, end = day_number(period.start), day_number(period.end) + 1
    pipeline, closed, won = [], [], []
    for deal in deals:
        kind = kinds.get(deal.stage)
        if kind == "open":
            if deal.close_date is not None and period.start <= deal.close_date <= period.end:
                pipeline.append(deal)
        elif kind in ("won", "lost"):
            closed.append(deal)
            if kind == "won" and deal.closed is not None and start <= deal.closed < end:
                won.append(deal)
    return pipeline, closed, won


def now_in_days(moment: datetime) -> float:
    return (moment - datetime.combine(EPOCH, datetime.min.time(), tzinfo=UTC)).total_seconds() / 86400.0
