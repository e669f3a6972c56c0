"""Contracts, their amendments, product usage readings and the product tier ladder."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

import msgspec
from msgspec import UNSET, UnsetType

from api.lib.schema import Out, Schema

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Scope = Annotated[str, msgspec.Meta(max_length=20_000)]
Terms = Annotated[str, msgspec.Meta(max_length=100)]
Short = Annotated[str, msgspec.Meta(max_length=100)]
Money = Annotated[int, msgspec.Meta(ge=0, le=10**15, description="minor units")]
Currency = Annotated[str, msgspec.Meta(pattern=r"^[A-Z]{3}$", description="ISO 4217 code")]
Count = Annotated[int, msgspec.Meta(ge=0, le=10**15)]
Limit = Annotated[int, msgspec.Meta(ge=1, le=10**15)]
# Statuses a client may set; "renewed" is reached only by renewing.
SettableStatus = Literal["active", "expired", "cancelled"]


class Contract(Out, kw_only=True):
    id: uuid.UUID
    account_id: uuid.UUID
    product_id: uuid.UUID | None
    opportunity_id: uuid.UUID | None
    renews_id: uuid.UUID | None
    name: str
    scope: str | None
    payment_terms: str | None
    amount: int
    currency: str
    starts_on: date
    ends_on: date
    status: str
    renewal_started_on: date | None
    external_id: str | None
    version: int
    created_at: datetime
    updated_at: datetime


class ContractCreate(Schema, kw_only=True):
    id: uuid.UUID | UnsetType = UNSET
    name: Name
    product_id: uuid.UUID | None = None
    opportunity_id: uuid.UUID | None = None
    scope: Scope | None = None
    payment_terms: Terms | None = None
    amount: Money = 0
    currency: Currency | UnsetType = UNSET
    starts_on: date
    ends_on: date
    status: SettableStatus = "active"
    renewal_started_on: date | None = None
    external_id: Short | None = None


class ContractUpdate(Schema, kw_only=True):
    name: Name | UnsetType = UNSET
    product_id: uuid.UUID | None | UnsetType = UNSET
    scope: Scope | None | UnsetType = UNSET
    payment_terms: Terms | None | UnsetType = UNSET
    amount: Money | UnsetType = UNSET
    currency: Currency | UnsetType = UNSET
    starts_on: date | UnsetType = UNSET
    ends_on: date | UnsetType = UNSET
    status: SettableStatus | UnsetType = UNSET
    renewal_started_on: date | None | UnsetType = UNSET
    external_id: Short | None | UnsetType = UNSET


class RenewalCreate(Schema, kw_only=True):
    """The renewing contract; unset terms are carried over from the one it renews."""

    id: uuid.UUID | UnsetType = UNSET
    name: Name | UnsetType = UNSET
    product_id: uuid.UUID | None | UnsetType = UNSET
    opportunity_id: uuid.UUID | None = None
    scope: Scope | None | UnsetType = UNSET
    payment_terms: Terms | None | UnsetType = UNSET
    amount: Money | UnsetType = UNSET
    currency: Currency | UnsetType = UNSET
    starts_on: date | UnsetType = UNSET  # the day after the old contract ends when unset
    ends_on: date
    # When the renewal conversation began, recorded on the contract being renewed (kept when unset).
    renewal_started_on: date | UnsetType = UNSET


class Amendment(Out, kw_only=True):
    id: uuid.UUID
    contract_id: uuid.UUID
    term: str
    old_value: str | None
    new_value: str | None
    changed_at: datetime
    changed_by: uuid.UUID | None


class Amendments(Out, kw_only=True):
    items: list[Amendment]


class Renewal(Out, kw_only=True):
    renewed: Contract
    renewal: Contract


class UsageRecord(Schema, kw_only=True):
    product_id: uuid.UUID
    month: date  # any day of the month; stored as its first day
    quantity: Count
    tier_limit: Limit | None = None


class Usage(Out, kw_only=True):
    id: uuid.UUID
    account_id: uuid.UUID
    product_id: uuid.UUID
    month: date
    quantity: int
    tier_limit: int | None
    recorded_at: datetime


class UsageList(Out, kw_only=True):
    items: list[Usage]


class NextTier(Schema, kw_only=True):
    next_tier_id: uuid.UUID | None


class ProductTier(Out, kw_only=True):
    id: uuid.UUID
    sku: str
    name: str
    next_tier_id: uuid.UUID | None
