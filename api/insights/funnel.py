"""The funnel of a cohort of deals (those created in the period), computed from their stage history.

Definitions, so that every figure can be recomputed by hand:

- A deal *reached* an open stage when it stayed in it, or in a later open stage, or was won (a won deal went
  through every stage), or when the stage is its pipeline's first (every deal enters there). It reached won or
  lost when it ended there.
- ``count``/``amount`` per stage: the deals that reached it and their amounts; ``weighted_amount`` is the amount
  times the stage's probability. ``open_*`` are the deals sitting in the stage now (weighted by their own
  probability): the live pipeline.
- ``conversion_to_next``: reached the next stage (for the last open stage: won) ÷ reached this one.
- Dwell: the days of each finished stay in the stage; median and 75th percentile by linear interpolation
  between closest ranks.
- ``win_rate``: won ÷ (won + lost); ``avg_cycle_days``: mean days from creation to close of won deals.
- Amounts add up deals in the org's currency only; ``other_currency`` counts those left out.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from api.db.models import Stage
from api.insights.records import Deal


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-quantile (0..1) by linear interpolation between closest ranks; None without values."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@dataclass
class StageFigures:
    stage: str
    kind: str
    count: int = 0
    amount: int = 0
    weighted_amount: int = 0
    open_count: int = 0
    open_amount: int = 0
    open_weighted_amount: int = 0
    conversion_to_next: float | None = None
    median_dwell_days: float | None = None
    p75_dwell_days: float | None = None
    dwell_samples: int = 0


@dataclass
class Funnel:
    stages: list[StageFigures]
    opportunities: int
    won: int
    lost: int
    open: int
    win_rate: float | None
    avg_cycle_days: float | None
    currency: str
    other_currency: int


def reached(deal: Deal, stages: Sequence[Stage]) -> set[str]:
    """The stages a deal reached (see the module's definitions)."""
    kinds = {s.key: s.kind for s in stages}
    open_stages = [s for s in stages if s.kind == "open"]
    position = {s.key: i for i, s in enumerate(open_stages)}
    final = kinds.get(deal.stage)
    furthest = 0
    for stage, _, _ in deal.stays:
        if stage in position:
            furthest = max(furthest, position[stage])
    if deal.stage in position:
        furthest = max(furthest, position[deal.stage])
    if final == "won":
        furthest = len(open_stages) - 1
    result = {s.key for s in open_stages[: furthest + 1]}
    if final in ("won", "lost"):
        result.add(deal.stage)
    return result


def compute_funnel(deals: Sequence[Deal], stages: Sequence[Stage], currency: str) -> Funnel:
    figures = {s.key: StageFigures(s.key, s.kind) for s in stages}
    probability = {s.key: s.probability for s in stages}
    kinds = {s.key: s.kind for s in stages}
    dwell: dict[str, list[float]] = {s.key: [] for s in stages}
    won = lost = other = 0
    cycles: list[float] = []
    for deal in deals:
        counted = deal.currency == currency
        other += not counted
        amount = deal.amount if counted else 0
        for key in reached(deal, stages):
            f = figures[key]
            f.count += 1
            f.amount += amount
            f.weighted_amount += amount * probability[key] // 100
        kind = kinds.get(deal.stage)
        if kind == "open" and deal.stage in figures:
            f = figures[deal.stage]
            f.open_count += 1
            f.open_amount += amount
            f.open_weighted_amount += amount * deal.probability // 100
        elif kind == "won":
            won += 1
            if deal.closed is not None:
                cycles.append(deal.closed - deal.created)
        elif kind == "lost":
            lost += 1
        for stage, entered, left in deal.stays:
            if left is not None and stage in dwell:
                dwell[stage].append(left - entered)
    ordered = [figures[s.key] for s in stages]
    open_figures = [f for f in ordered if f.kind == "open"]
    won_key = next((s.key for s in stages if s.kind == "won"), None)
    for index, f in enumerate(open_figures):
        following = open_figures[index + 1] if index + 1 < len(open_figures) else figures.get(won_key or "")
        if f.count and following is not None:
            f.conversion_to_next = round(following.count / f.count, 4)
    for f in ordered:
        samples = dwell[f.stage]
        f.dwell_samples = len(samples)
        f.median_dwell_days = _days(percentile(samples, 0.5))
        f.p75_dwell_days = _days(percentile(samples, 0.75))
    closed = won + lost
    return Funnel(
        stages=ordered,
        opportunities=len(deals),
        won=won,
        lost=lost,
        open=len(deals) - closed,
        win_rate=round(won / closed, 4) if closed else None,
        avg_cycle_days=_days(sum(cycles) / len(cycles)) if cycles else None,
        currency=currency,
        other_currency=other,
    )


def _days(value: float | None) -> float | None:
    return None if value is None else round(value, 2)
