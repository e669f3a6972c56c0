"""Hand-made deals with their stage stays, written straight into the database (their answers are worked by hand)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from api.db.models import LineItem, Opportunity, StageHistory

PROBABILITY = {"lead": 10, "qualified": 20, "solution": 40, "proposal": 60, "negotiation": 80, "won": 100, "lost": 0}


def day(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


async def add_deal(
    session,
    org_id: uuid.UUID,
    owner_id: uuid.UUID,
    account_id: uuid.UUID,
    stays: list[tuple[str, str]],
    amount: int,
    *,
    close_date: date | None = None,
    product_id: uuid.UUID | None = None,
    currency: str = "CNY",
) -> uuid.UUID:
    """A deal whose stays are (stage, entered on) in order; each stay ends when the next begins, the last is open."""
    deal_id = uuid.uuid4()
    final = stays[-1][0]
    closed = day(stays[-1][1]) if final in ("won", "lost") else None
    session.add(
        Opportunity(
            id=deal_id, org_id=org_id, account_id=account_id, owner_id=owner_id, name=f"deal {amount}", stage=final,
            probability=PROBABILITY[final], amount=amount, currency=currency, close_date=close_date,
            closed_at=closed, created_at=day(stays[0][1]), updated_at=day(stays[0][1]), competitors=[],
            forecast_category="closed" if closed else "pipeline",
        )
    )  # fmt: skip
    await session.flush()
    for index, (stage, entered) in enumerate(stays):
        left = day(stays[index + 1][1]) if index + 1 < len(stays) else None
        session.add(
            StageHistory(org_id=org_id, opportunity_id=deal_id, stage=stage, entered_at=day(entered), left_at=left)
        )
    if product_id:
        session.add(
            LineItem(org_id=org_id, opportunity_id=deal_id, product_id=product_id, quantity=1, unit_price=amount,
                     amount=amount)
        )  # fmt: skip
    await session.flush()
    return deal_id
