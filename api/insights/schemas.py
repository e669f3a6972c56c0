"""Insight answers: funnel and forecast."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from api.lib.schema import Out


class FunnelStage(Out):
    stage: str
    kind: str
    count: int
    amount: int
    weighted_amount: int
    open_count: int
    open_amount: int
    open_weighted_amount: int
    conversion_to_next: float | None
    median_dwell_days: float | None
    p75_dwell_days: float | None
    dwell_samples: int


class FunnelOut(Out):
    start: date | None
    end: date | None
    team_id: uuid.UUID | None
    owner_id: uuid.UUID | None
    stages: list[FunnelStage]
    opportunities: int
    won: int
    lost: int
    open: int
    win_rate: float | None
    avg_cycle_days: float | None
    currency: str
    other_currency: int


class ForecastRow(Out):
    """Open deals of one stage sharing a basis (and the product or owner whose history was used)."""

    stage: str
    basis: str  # "stage", "stage+product", "stage+owner", or "probability" when the stage has no history
    product_id: uuid.UUID | None
    owner_id: uuid.UUID | None
    count: int
    amount: int
    probability: int
    weighted_amount: int
    win_rate: float
    history_deals: int
    close_share: float
    stale: int  # older in the stage than every closed deal's cycle: counted at 0
    model_amount: int


class ForecastOut(Out):
    period: str
    start: date
    end: date
    as_of: datetime
    currency: str
    count: int
    amount: int
    weighted: int
    model: int
    won_so_far: int
    won_so_far_count: int
    other_currency: int
    min_history: int
    rows: list[ForecastRow]


class StuckDeal(Out):
    id: uuid.UUID
    name: str
    owner_id: uuid.UUID
    owner_name: str
    amount: int
    currency: str
    days_in_stage: float


class OwnerToHelp(Out):
    owner_id: uuid.UUID
    name: str
    stuck_count: int
    stuck_amount: int


class Bottleneck(Out):
    """An open stage whose backlog or dwell is well above its own history, and what to do about it."""

    stage: str
    name: str
    reasons: list[str]  # "backlog": more deals than 1.5× the median of the last 8 week-ends; "dwell": median age > p75
    backlog: int
    backlog_baseline: float
    weekly_backlog: list[int]  # deals in the stage 1, 2, … 8 weeks ago
    median_age_days: float | None
    p75_dwell_days: float | None
    dwell_samples: int
    stuck_count: int
    stuck_amount: int
    stuck: list[StuckDeal]  # the oldest stuck deals (at most 10)
    help: list[OwnerToHelp]  # the owners with the most stuck deals (at most 3)
    suggestion: str


class BottlenecksOut(Out):
    as_of: datetime
    team_id: uuid.UUID | None
    owner_id: uuid.UUID | None
    items: list[Bottleneck]


class ForecastAccuracyItem(Out):
    """One weekly snapshot of a past period's forecast against what was won in it."""

    period: str
    start: date
    end: date
    basis: str  # "weighted" or "model"
    week_start: date
    taken_at: datetime
    currency: str
    forecast: int
    pipeline_amount: int
    actual: int
    actual_count: int
    accuracy: float | None  # 1 − |forecast − actual| / actual; null when nothing was won


class ForecastAccuracySummary(Out):
    basis: str
    snapshots: int
    mean_accuracy: float | None


class ForecastAccuracyOut(Out):
    start: date
    end: date
    items: list[ForecastAccuracyItem]
    summary: list[ForecastAccuracySummary]
