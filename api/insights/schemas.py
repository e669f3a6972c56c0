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
