"""Churn risk answers."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from api.lib.schema import Out

Factor = Literal["engagement", "amendments", "case_surge", "sla_breach"]
Level = Literal["low", "medium", "high"]


class ChurnRecord(Out, kw_only=True):
    """A record behind a reason: ``type`` is contact, activity, contract_amendment or support_case."""

    type: str
    id: uuid.UUID


class ChurnReason(Out, kw_only=True):
    factor: Factor
    points: int
    weight: float
    strength: float
    text: str
    figures: dict[str, float]
    records: list[ChurnRecord]


class FactorComparison(Out, kw_only=True):
    """One sign: whether it fires now, and how common it was among lost and retained customers."""

    factor: Factor
    fired: bool
    weight: float
    figures: dict[str, float]
    lost_with: int
    lost_total: int
    lost_share: float | None
    retained_with: int
    retained_total: int
    retained_share: float | None


class Weights(Out, kw_only=True):
    basis: Literal["learned", "default"]
    note: str
    lost_customers: int
    retained_customers: int


class ChurnRisk(Out, kw_only=True):
    account_id: uuid.UUID
    account_name: str
    is_customer: bool
    churned_at: datetime | None
    as_of: datetime
    score: int
    level: Level
    reasons: list[ChurnReason]
    factors: list[FactorComparison]
    weights: Weights


class ChurnSummary(Out, kw_only=True):
    account_id: uuid.UUID
    account_name: str
    owner_id: uuid.UUID
    cs_owner_id: uuid.UUID | None
    score: int
    level: Level
    reasons: list[ChurnReason]


class ChurnList(Out, kw_only=True):
    """The caller's retained customers at or above ``min_score``, riskiest first."""

    as_of: datetime
    min_score: int
    weights: Weights
    items: list[ChurnSummary]
    next_cursor: str | None = None
