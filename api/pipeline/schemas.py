from __future__ import annotations

import uuid
from typing import Literal

from api.lib.schema import Out


class Stage(Out, kw_only=True):
    key: str
    name: str
    name_en: str
    name_zh: str
    position: int
    probability: int
    kind: Literal["open", "won", "lost"]
    needs_evidence: bool


class Stages(Out, kw_only=True):
    items: list[Stage]


class Product(Out, kw_only=True):
    id: uuid.UUID
    sku: str
    name: str
    series: str | None
    list_price: int
    currency: str
    is_active: bool
    next_tier_id: uuid.UUID | None  # the product to propose when usage nears this tier's limit


class Products(Out, kw_only=True):
    items: list[Product]
