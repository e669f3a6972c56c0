"""Cross-sell answers: the mined rules, and an account's recommendations with their evidence."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Literal

from api.lib.schema import Out


class ProductRef(Out, kw_only=True):
    id: uuid.UUID
    sku: str
    name: str


class RuleOut(Out, kw_only=True):
    """X → y; ``held_over_months`` is set when X is "has owned this product for over that many months"."""

    antecedent: list[ProductRef]
    consequent: ProductRef
    held_over_months: int | None
    support: float
    confidence: float
    lift: float
    both_count: int
    antecedent_count: int
    consequent_count: int
    baskets: int


class Rules(Out, kw_only=True):
    baskets: int
    min_support: float
    min_confidence: float
    min_lift: float
    rules: list[RuleOut]
    tenure_rules: list[RuleOut]


class Tenure(Out, kw_only=True):
    product: ProductRef
    owned_since: date
    months_owned: int


class UsageReading(Out, kw_only=True):
    month: date
    quantity: int
    tier_limit: int
    ratio: float


class Recommendation(Out, kw_only=True):
    kind: Literal["tier", "tenure", "association"]
    product: ProductRef
    reason: str
    reason_en: str
    reason_zh: str
    rule: RuleOut | None = None
    tenure: Tenure | None = None
    current_product: ProductRef | None = None  # the tier whose limit is being reached
    usage: list[UsageReading] = []  # noqa: RUF012  (msgspec copies mutable defaults)
    usage_threshold: float | None = None


class Recommendations(Out, kw_only=True):
    account_id: uuid.UUID
    as_of: date
    baskets: int
    min_support: float
    min_confidence: float
    min_lift: float
    usage_threshold: float
    items: list[Recommendation]
