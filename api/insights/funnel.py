"""The funnel of a cohort of deals (those created in the period), aggregated by the database from stage history.

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

How: the database does the counting. One GROUP BY over the deals, by the furthest open stage each reached (an
indexed lookup into its stays) and the stage it sits in now, gives every count and amount; the dwell quantiles come
from PostgreSQL's ``percentile_cont``, or on SQLite from the dwell column alone, sorted. Nothing else is loaded.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, case, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.db.models import Opportunity, Stage, StageHistory
from api.insights.records import epoch_days

MEDIAN = (1, 2)
P75 = (3, 4)


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


@dataclass(frozen=True)
class Dwell:
    """Finished stays of one stage: how many, and their quantiles in days (None without any)."""

    samples: int
    quantiles: tuple[float | None, ...]


def stays_in(stays_of: Select[Any] | None, org_id: uuid.UUID) -> ColumnElement[bool]:
    """Stays of the opportunities ``stays_of`` selects; None: of every live one of the org.

    The whole org is asked as "not of a deleted deal": that set is small, where testing each stay against the
    list of every live deal costs more than the rest of the query.
    """
    if stays_of is not None:
        return StageHistory.opportunity_id.in_(stays_of.scalar_subquery())
    deleted = select(Opportunity.id).where(Opportunity.org_id == org_id, Opportunity.deleted_at.is_not(None))
    return StageHistory.opportunity_id.not_in(deleted.scalar_subquery())


def greatest(dialect: str, *values: Any) -> Any:
    """The largest of a few values: SQLite's two-argument max() is scalar, PostgreSQL has greatest()."""
    return func.max(*values) if dialect == "sqlite" else func.greatest(*values)


async def stay_dwell(
    session: AsyncSession, stays_of: Select[Any] | None, org_id: uuid.UUID, quantiles: Sequence[tuple[int, int]]
) -> dict[str, Dwell]:
    """Per stage, the number of finished stays and their quantiles (each an exact fraction a/b of 0..1).

    Only the stays of the opportunities ``stays_of`` selects (ids), or all the org's live ones. PostgreSQL answers with
    ``percentile_cont`` (the same linear interpolation), one row per stage; SQLite has no percentile function, so it
    sends back only the dwell column, sorted per stage, and the quantiles are read off here.
    """
    dialect = session.bind.dialect.name
    dwell = epoch_days(StageHistory.left_at, dialect) - epoch_days(StageHistory.entered_at, dialect)
    where = [StageHistory.org_id == org_id, StageHistory.left_at.is_not(None), stays_in(stays_of, org_id)]
    if dialect == "postgresql":
        cont = [func.percentile_cont(a / b).within_group(dwell) for a, b in quantiles]
        stmt = select(StageHistory.stage, func.count(), *cont).where(*where).group_by(StageHistory.stage)
        return {stage: Dwell(n, tuple(float(v) for v in values)) for stage, n, *values in await session.execute(stmt)}
    stmt = select(StageHistory.stage, dwell.label("dwell")).where(*where).order_by(StageHistory.stage, "dwell")
    per_stage: dict[str, list[float]] = defaultdict(list)
    for stage, value in await session.execute(stmt):
        per_stage[stage].append(value)
    return {stage: Dwell(len(values), tuple(_sorted_quantile(values, a, b) for a, b in quantiles))
            for stage, values in per_stage.items()}  # fmt: skip


def _sorted_quantile(ordered: list[float], a: int, b: int) -> float:
    """The a/b-quantile of sorted values, interpolating between the closest ranks (as ``percentile`` does)."""
    last = len(ordered) - 1
    low, high = last * a // b, -(-last * a // b)
    return ordered[low] + (ordered[high] - ordered[low]) * (last * a / b - low)


async def p75_dwell_by_stage(session: AsyncSession, org_id: uuid.UUID) -> dict[str, float]:
    """The 75th-percentile dwell (days) of each stage over all the org's finished stays: when a deal is overdue."""
    return {stage: d.quantiles[0] for stage, d in (await stay_dwell(session, None, org_id, [P75])).items()
            if d.quantiles[0] is not None}  # fmt: skip


async def compute_funnel(
    session: AsyncSession,
    in_scope: Select[Any],
    org_id: uuid.UUID,
    stages: Sequence[Stage],
    currency: str,
    *,
    whole_org: bool = False,
) -> Funnel:
    """The funnel of the opportunities that ``in_scope`` (a select of Opportunity rows, filtered) picks.

    ``whole_org``: ``in_scope`` picks every live deal of the org (it lets the stays be filtered more cheaply).
    """
    dialect = session.bind.dialect.name
    open_stages = [s for s in stages if s.kind == "open"]
    index = {s.key: i for i, s in enumerate(open_stages)}
    won_keys = [s.key for s in stages if s.kind == "won"]
    ids = in_scope.with_only_columns(Opportunity.id)
    # The furthest open stage each deal's stays reached. SQLite: a correlated lookup per deal on the
    # (opportunity, entered) index; PostgreSQL: one hash aggregate over the stays, joined back (per-deal subplans
    # cost it several times more).
    stay_index = case(index, value=StageHistory.stage, else_=0) if index else literal(0)
    stay_filter = [StageHistory.stage.in_(list(index))]
    if dialect == "postgresql":
        reached = (
            select(StageHistory.opportunity_id.label("opportunity_id"), func.max(stay_index).label("furthest"))
            .where(StageHistory.org_id == org_id, *stay_filter, stays_in(None if whole_org else ids, org_id))
            .group_by(StageHistory.opportunity_id)
            .subquery()
        )
        by_stays: Any = reached.c.furthest
        in_scope = in_scope.outerjoin(reached, reached.c.opportunity_id == Opportunity.id)
    else:
        by_stays = (
            select(func.max(stay_index))
            .where(StageHistory.opportunity_id == Opportunity.id, *stay_filter)
            .scalar_subquery()
        )
    current = case(index, value=Opportunity.stage, else_=0) if index else literal(0)
    furthest = case(
        (Opportunity.stage.in_(won_keys), max(len(open_stages) - 1, 0)),
        else_=greatest(dialect, func.coalesce(by_stays, 0), current),
    ).label("furthest")
    probabilities = sorted({s.probability for s in stages})
    cycle = epoch_days(Opportunity.closed_at, dialect) - epoch_days(Opportunity.created_at, dialect)
    deal = in_scope.with_only_columns(
        furthest,
        Opportunity.stage.label("stage"),
        case((Opportunity.currency == currency, Opportunity.amount), else_=0).label("counted"),
        Opportunity.probability.label("probability"),
        case((Opportunity.currency == currency, 0), else_=1).label("other"),
        case((Opportunity.closed_at.is_not(None), cycle)).label("cycle"),
    ).subquery()
    stmt = select(
        deal.c.furthest,
        deal.c.stage,
        func.count(),
        func.sum(deal.c.counted),
        func.sum(deal.c.counted * deal.c.probability // 100),  # the live pipeline: each deal's own probability
        func.sum(deal.c.other),
        func.sum(deal.c.cycle),
        func.count(deal.c.cycle),
        *(func.sum(deal.c.counted * p // 100) for p in probabilities),  # truncated per deal, as an integer amount is
    ).group_by(deal.c.furthest, deal.c.stage)
    figures = {s.key: StageFigures(s.key, s.kind) for s in stages}
    kinds = {s.key: s.kind for s in stages}
    total = won = lost = other = closed_cycles = 0
    cycle_days = 0.0
    for row in await session.execute(stmt):
        reach, stage, count, amount, own_weighted, others, cycles, closed = row[:8]
        weighted = dict(zip(probabilities, (int(v or 0) for v in row[8:]), strict=True))
        amount, total, other = int(amount or 0), total + count, other + int(others or 0)
        for s in open_stages[: reach + 1]:
            f = figures[s.key]
            f.count, f.amount, f.weighted_amount = (
                f.count + count,
                f.amount + amount,
                f.weighted_amount + weighted[s.probability],
            )
        kind = kinds.get(stage)
        if kind in ("won", "lost"):
            f = figures[stage]
            f.count, f.amount = f.count + count, f.amount + amount
            f.weighted_amount += weighted[next(s.probability for s in stages if s.key == stage)]
        if kind == "open":
            f = figures[stage]
            f.open_count, f.open_amount = f.open_count + count, f.open_amount + amount
            f.open_weighted_amount += int(own_weighted or 0)
        elif kind == "won":
            won += count
            cycle_days += float(cycles or 0.0)
            closed_cycles += closed
        elif kind == "lost":
            lost += count
    ordered = [figures[s.key] for s in stages]
    _conversions(ordered, figures, won_keys[0] if won_keys else None)
    dwell = await stay_dwell(session, None if whole_org else ids, org_id, [MEDIAN, P75])
    for f in ordered:
        if (d := dwell.get(f.stage)) is not None:
            f.dwell_samples = d.samples
            f.median_dwell_days, f.p75_dwell_days = (_days(v) for v in d.quantiles)
    closed_count = won + lost
    return Funnel(
        stages=ordered,
        opportunities=total,
        won=won,
        lost=lost,
        open=total - closed_count,
        win_rate=round(won / closed_count, 4) if closed_count else None,
        avg_cycle_days=_days(cycle_days / closed_cycles) if closed_cycles else None,
        currency=currency,
        other_currency=other,
    )


def _conversions(ordered: list[StageFigures], figures: dict[str, StageFigures], won_key: str | None) -> None:
    open_figures = [f for f in ordered if f.kind == "open"]
    for i, f in enumerate(open_figures):
        following = open_figures[i + 1] if i + 1 < len(open_figures) else figures.get(won_key or "")
        if f.count and following is not None:
            f.conversion_to_next = round(following.count / f.count, 4)


def _days(value: float | None) -> float | None:
    return None if value is None else round(value, 2)
