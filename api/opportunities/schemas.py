from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

import msgspec
from msgspec import UNSET, UnsetType

from api.lib.schema import Out, Schema

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
StageKey = Annotated[str, msgspec.Meta(min_length=1, max_length=40)]
Money = Annotated[int, msgspec.Meta(ge=0, le=10**15, description="minor units (fen for CNY)")]
Currency = Annotated[str, msgspec.Meta(pattern=r"^[A-Z]{3}$", description="ISO 4217")]
Probability = Annotated[int, msgspec.Meta(ge=0, le=100)]
# Percentages are checked by the validation rules, so that their message is the rule's own.
Percent = Annotated[float, msgspec.Meta(description="0 to 100")]
Text500 = Annotated[str, msgspec.Meta(max_length=500)]
Competitors = Annotated[list[Annotated[str, msgspec.Meta(min_length=1, max_length=100)]], msgspec.Meta(max_length=20)]
ForecastCategory = Literal["pipeline", "best_case", "commit", "omitted", "closed"]


class LineItemIn(Schema, kw_only=True):
    product_id: uuid.UUID | None = None
    description: Annotated[str, msgspec.Meta(max_length=300)] | None = None
    quantity: Annotated[int, msgspec.Meta(ge=1, le=10**9)]
    unit_price: Money
    discount_pct: Percent = 0.0


class LineItem(Out, kw_only=True):
    id: uuid.UUID
    product_id: uuid.UUID | None
    description: str | None
    quantity: int
    unit_price: int
    discount_pct: float
    amount: int


class OpportunityFields(Out, kw_only=True):
    """What every view of an opportunity carries, the list's rows included."""

    id: uuid.UUID
    account_id: uuid.UUID
    account_name: str
    name: str
    owner_id: uuid.UUID
    stage: str
    probability: int
    amount: int
    currency: str
    discount_pct: float
    close_date: date | None
    promised_date: date | None
    competitors: list[str]
    next_step: str | None
    loss_reason: str | None
    forecast_category: ForecastCategory
    version: int
    created_at: datetime
    updated_at: datetime


class Opportunity(OpportunityFields, kw_only=True):
    description: str | None
    external_id: str | None
    closed_at: datetime | None
    line_items: list[LineItem]


class OpportunityCreate(Schema, kw_only=True):
    id: uuid.UUID | UnsetType = UNSET
    account_id: uuid.UUID
    name: Name
    stage: StageKey | UnsetType = UNSET
    probability: Probability | UnsetType = UNSET
    amount: Money = 0
    currency: Currency | UnsetType = UNSET
    discount_pct: Percent = 0.0
    close_date: date | None = None
    promised_date: date | None = None
    competitors: Competitors = msgspec.field(default_factory=list)
    next_step: Text500 | None = None
    loss_reason: Text500 | None = None
    forecast_category: ForecastCategory = "pipeline"
    description: Annotated[str, msgspec.Meta(max_length=20_000)] | None = None
    line_items: Annotated[list[LineItemIn], msgspec.Meta(max_length=200)] = msgspec.field(default_factory=list)
    owner_id: uuid.UUID | UnsetType = UNSET
    external_id: Annotated[str, msgspec.Meta(max_length=100)] | None = None


class OpportunityUpdate(Schema, kw_only=True):
    name: Name | UnsetType = UNSET
    stage: StageKey | UnsetType = UNSET
    probability: Probability | UnsetType = UNSET
    amount: Money | UnsetType = UNSET
    currency: Currency | UnsetType = UNSET
    discount_pct: Percent | UnsetType = UNSET
    close_date: date | None | UnsetType = UNSET
    promised_date: date | None | UnsetType = UNSET
    competitors: Competitors | UnsetType = UNSET
    next_step: Text500 | None | UnsetType = UNSET
    loss_reason: Text500 | None | UnsetType = UNSET
    forecast_category: ForecastCategory | UnsetType = UNSET
    description: Annotated[str, msgspec.Meta(max_length=20_000)] | None | UnsetType = UNSET
    line_items: Annotated[list[LineItemIn], msgspec.Meta(max_length=200)] | UnsetType = UNSET
    owner_id: uuid.UUID | UnsetType = UNSET


class StageStay(Out, kw_only=True):
    stage: str
    entered_at: datetime
    left_at: datetime | None
    changed_by: uuid.UUID | None


class FieldChange(Out, kw_only=True):
    field: str
    old_value: Any
    new_value: Any
    changed_by: uuid.UUID | None
    changed_at: datetime


class History(Out, kw_only=True):
    stages: list[StageStay]
    changes: list[FieldChange]
