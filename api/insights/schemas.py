"""Insight answers: funnel and forecast."""

from __future__ import annotations

import uuid
from datetime import date

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
