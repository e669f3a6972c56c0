from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

import msgspec
from msgspec import UNSET, UnsetType

from api.lib.schema import Out, Schema

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Short = Annotated[str, msgspec.Meta(max_length=100)]
Long = Annotated[str, msgspec.Meta(max_length=500)]
Notes = Annotated[str, msgspec.Meta(max_length=20_000)]
Lat = Annotated[float, msgspec.Meta(ge=-90, le=90, description="WGS-84 latitude")]
Lon = Annotated[float, msgspec.Meta(ge=-180, le=180, description="WGS-84 longitude")]
Phone = Annotated[str, msgspec.Meta(max_length=50)]
Email = Annotated[str, msgspec.Meta(max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")]


class Account(Out, kw_only=True):
    id: uuid.UUID
    name: str
    industry: str | None
    address: str | None
    city: str | None
    lat: float | None
    lon: float | None
    phone: str | None
    website: str | None
    notes: str | None
    owner_id: uuid.UUID
    cs_owner_id: uuid.UUID | None
    churned_at: datetime | None
    external_id: str | None
    version: int
    created_at: datetime
    updated_at: datetime


class AccountCreate(Schema, kw_only=True):
    id: uuid.UUID | UnsetType = UNSET
    name: Name
    industry: Short | None = None
    address: Long | None = None
    city: Short | None = None
    lat: Lat | None = None
    lon: Lon | None = None
    phone: Phone | None = None
    website: Long | None = None
    notes: Notes | None = None
    owner_id: uuid.UUID | UnsetType = UNSET
    # Who looks after the customer after the sale (churn warnings go to them); an active user of the org.
    cs_owner_id: uuid.UUID | None = None
    # When the customer left; set on a lost customer, never in the future.
    churned_at: datetime | None = None
    external_id: Short | None = None


class AccountUpdate(Schema, kw_only=True):
    name: Name | UnsetType = UNSET
    industry: Short | None | UnsetType = UNSET
    address: Long | None | UnsetType = UNSET
    city: Short | None | UnsetType = UNSET
    lat: Lat | None | UnsetType = UNSET
    lon: Lon | None | UnsetType = UNSET
    phone: Phone | None | UnsetType = UNSET
    website: Long | None | UnsetType = UNSET
    notes: Notes | None | UnsetType = UNSET
    owner_id: uuid.UUID | UnsetType = UNSET
    cs_owner_id: uuid.UUID | None | UnsetType = UNSET
    churned_at: datetime | None | UnsetType = UNSET
    external_id: Short | None | UnsetType = UNSET


class Contact(Out, kw_only=True):
    id: uuid.UUID
    account_id: uuid.UUID
    name: str
    title: str | None
    phone: str | None
    email: str | None
    is_decision_maker: bool
    version: int
    created_at: datetime
    updated_at: datetime


class ContactCreate(Schema, kw_only=True):
    id: uuid.UUID | UnsetType = UNSET
    name: Name
    title: Name | None = None
    phone: Phone | None = None
    email: Email | None = None
    is_decision_maker: bool = False


class ContactUpdate(Schema, kw_only=True):
    name: Name | UnsetType = UNSET
    title: Name | None | UnsetType = UNSET
    phone: Phone | None | UnsetType = UNSET
    email: Email | None | UnsetType = UNSET
    is_decision_maker: bool | UnsetType = UNSET
