"""Scoring requests and answers: signals, invoices, scores with their reasons, the win model, org settings."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

import msgspec
from msgspec import UNSET, UnsetType

from api.lib.schema import Out, Schema

SignalKind = Literal["budget_confirmed", "decision_maker_involved"]
Money = Annotated[int, msgspec.Meta(ge=0, le=10**15)]
Cost = Annotated[int, msgspec.Meta(ge=0, le=10**12)]
Currency = Annotated[str, msgspec.Meta(pattern="^[A-Z]{3}$")]


class SignalCreate(Schema, kw_only=True):
    id: uuid.UUID | UnsetType = UNSET
    kind: SignalKind
    value: bool = True
    contact_id: uuid.UUID | None = None
    note: Annotated[str, msgspec.Meta(max_length=2000)] | None = None
    recorded_at: datetime | UnsetType = UNSET


class Signal(Out, kw_only=True):
    id: uuid.UUID
    opportunity_id: uuid.UUID
    kind: SignalKind
    value: bool
    contact_id: uuid.UUID | None
    note: str | None
    recorded_at: datetime
    recorded_by: uuid.UUID | None


class InvoiceCreate(Schema, kw_only=True):
    id: uuid.UUID | UnsetType = UNSET
    account_id: uuid.UUID
    number: Annotated[str, msgspec.Meta(min_length=1, max_length=60)] | None = None
    amount: Money
    currency: Currency | UnsetType = UNSET
    due_on: date
    paid_on: date | None = None


class InvoiceUpdate(Schema, kw_only=True):
    number: Annotated[str, msgspec.Meta(min_length=1, max_length=60)] | None | UnsetType = UNSET
    amount: Money | UnsetType = UNSET
    due_on: date | UnsetType = UNSET
    paid_on: date | None | UnsetType = UNSET


class Invoice(Out, kw_only=True):
    id: uuid.UUID
    account_id: uuid.UUID
    number: str | None
    amount: int
    currency: str
    due_on: date
    paid_on: date | None
    version: int
    created_at: datetime


class Bilingual(Out, kw_only=True):
    en: str
    zh: str


class RecordRef(Out, kw_only=True):
    type: str  # activity, deal_signal, invoice, support_case
    id: uuid.UUID


class Reason(Out, kw_only=True):
    key: str
    group: str  # engagement, buying_signals, history
    contribution: float  # points added to (or taken from) 50
    weight: float  # the most this input can add or take
    text: Bilingual
    records: list[RecordRef]


class Contribution(Out, kw_only=True):
    feature: str  # "stage=proposal", "product=<id>", ..., "intercept" or "complaint"
    label: Bilingual
    log_odds: float
    records: list[RecordRef] = msgspec.field(default_factory=list)


class WinProbability(Out, kw_only=True):
    probability: float
    basis: str  # "model", "stage" (too few closed deals: the stage's probability) or "closed"
    base_log_odds: float
    contributions: list[Contribution]  # each feature's log-odds, largest effect first
    unseen: list[str]  # features of this deal the model never saw (they count 0)
    model_trained_at: datetime | None
    training_size: int | None


class DealValue(Out, kw_only=True):
    currency: str
    ltv: int | None
    expected_value: int | None
    cost: int | None
    ratio: float | None
    threshold: float
    low_value: bool
    activities: int
    visits: int
    pipeline_days: int
    renewals: float
    renewals_basis: str


class OpportunityScore(Out, kw_only=True):
    opportunity_id: uuid.UUID
    name: str
    account_id: uuid.UUID
    owner_id: uuid.UUID
    stage: str
    amount: int
    currency: str
    close_date: date | None
    score: int
    reasons: list[Reason]  # known inputs, largest effect first
    unknown: list[Reason]  # inputs with nothing to go on: they count 0
    win: WinProbability
    value: DealValue
    as_of: datetime


class PipelineSummary(Out, kw_only=True):
    currency: str
    count: int
    amount: int
    low_value_count: int
    low_value_amount: int
    amount_without_low_value: int
    expected_value: int
    other_currency: int  # deals in another currency, left out of the amounts


class ScoreList(Out, kw_only=True):
    items: list[OpportunityScore]
    next_cursor: str | None
    summary: PipelineSummary


class WinModelOut(Out, kw_only=True):
    status: str  # "trained", "too_few" (no model: stage probabilities stand in), "current"
    trained_at: datetime | None
    training_size: int
    won: int
    lost: int
    intercept: float | None
    weights: dict[str, float]
    metrics: dict[str, Any]
    min_deals: int


class OrgSettings(Out, kw_only=True):
    currency: str
    cost_per_activity: int
    cost_per_visit: int
    cost_per_pipeline_day: int
    gross_margin_pct: float
    expected_renewals: float | None
    ltv_cac_threshold: float
    renewals_in_use: float
    renewals_basis: str
    version: int


class OrgSettingsUpdate(Schema, kw_only=True):
    cost_per_activity: Cost | UnsetType = UNSET
    cost_per_visit: Cost | UnsetType = UNSET
    cost_per_pipeline_day: Cost | UnsetType = UNSET
    gross_margin_pct: Annotated[float, msgspec.Meta(ge=0, le=100)] | UnsetType = UNSET
    expected_renewals: Annotated[float, msgspec.Meta(ge=0, le=100)] | None | UnsetType = UNSET
    ltv_cac_threshold: Annotated[float, msgspec.Meta(gt=0, le=1000)] | UnsetType = UNSET
