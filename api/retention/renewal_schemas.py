"""Renewal timing answers: the evidence from past renewals and the upcoming contracts with their start week."""

from __future__ import annotations

import uuid
from datetime import date

from api.lib.schema import Out


class LeadBucket(Out, kw_only=True):
    """Past contracts whose renewal talks began this many whole weeks before their end, and how many renewed."""

    label: str
    min_weeks: int | None  # None for talks begun after the end
    max_weeks: int | None  # None: no upper bound (or after the end)
    after_end: bool
    renewed: int
    not_renewed: int
    total: int
    rate: float | None


class RenewalHistory(Out, kw_only=True):
    outcomes: int
    with_start: int
    renewed_without_start: int
    not_renewed_without_start: int
    min_bucket: int
    min_history: int
    buckets: list[LeadBucket]
    best: LeadBucket | None


class UpcomingRenewal(Out, kw_only=True):
    contract_id: uuid.UUID
    account_id: uuid.UUID
    account_name: str
    product_id: uuid.UUID | None
    name: str
    amount: int
    currency: str
    ends_on: date
    days_left: int
    renewal_started_on: date | None
    started: bool
    recommended_week_start: date  # the Monday of the week to begin renewal talks
    recommended_weeks_before: int
    overdue: bool  # the recommended week has passed without talks: begin now
    reason: str
    reason_en: str
    reason_zh: str


class Renewals(Out, kw_only=True):
    as_of: date
    within_days: int
    basis: str  # "history" or "default"
    weeks_before: int
    note: str
    history: RenewalHistory
    items: list[UpcomingRenewal]
