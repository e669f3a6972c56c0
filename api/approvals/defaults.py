"""The approval policies every org starts with; admins change them under /api/v1/approvals/policies.

- a discount over 10 %: the submitter's manager;
- a discount over 25 %, or a deal over ¥1,000,000: the manager, then finance;
- payment terms over 90 days: finance and legal, both.

Policies combine (see ``policies``): a 30 % discount on 120-day terms goes to the manager, then finance, then
legal, finance being asked once.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.db.models import ApprovalPolicy
from api.db.types import utcnow

MANAGER = {"kind": "manager"}
FINANCE = {"kind": "role", "role": "finance"}
LEGAL = {"kind": "role", "role": "legal"}
YUAN = 100  # minor units (fen) per yuan

DEFAULT_POLICIES: tuple[dict[str, Any], ...] = (
    {
        "name_en": "Discount over 10 %",
        "name_zh": "折扣超过 10%",
        "conditions": {"discount_pct_over": 10.0},
        "steps": [{"approvers": [MANAGER], "mode": "any", "sla_hours": 24}],
    },
    {
        "name_en": "Discount over 25 % or deal over ¥1,000,000",
        "name_zh": "折扣超过 25% 或金额超过 100 万元",
        "conditions": {"discount_pct_over": 25.0, "amount_over": 1_000_000 * YUAN, "match": "any"},
        "steps": [
            {"approvers": [MANAGER], "mode": "any", "sla_hours": 24},
            {"approvers": [FINANCE], "mode": "any", "sla_hours": 48},
        ],
    },
    {
        "name_en": "Payment terms over 90 days",
        "name_zh": "账期超过 90 天",
        "conditions": {"payment_terms_days_over": 90},
        "steps": [{"approvers": [FINANCE, LEGAL], "mode": "all", "sla_hours": 48}],
    },
)


async def ensure_default_policies(session: AsyncSession, org_id: uuid.UUID) -> None:
    """Give an org the default policies unless it has policies already (so it never overwrites an admin's)."""
    if (await session.execute(select(ApprovalPolicy.id).where(ApprovalPolicy.org_id == org_id).limit(1))).first():
        return
    now = utcnow()
    session.add_all(
        ApprovalPolicy(
            id=uuid.uuid5(org_id, f"approval-policy:{position}"),
            org_id=org_id,
            position=position * 10,
            active=True,
            created_at=now,
            updated_at=now,
            **spec,
        )
        for position, spec in enumerate(DEFAULT_POLICIES, start=1)
    )
    await session.flush()
