"""Hand-made records for the scoring tests, written straight into the database at times relative to now."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta

from api.db.models import Activity, Contact, LineItem, Opportunity, StageHistory, SupportCase
from api.db.types import utcnow

PROBABILITY = {"lead": 10, "qualified": 20, "solution": 40, "proposal": 60, "negotiation": 80, "won": 100, "lost": 0}


def ago(days: float, now: datetime | None = None) -> datetime:
    return (now or utcnow()) - timedelta(days=days)


async def add_deal(
    session,
    org_id: uuid.UUID,
    owner_id: uuid.UUID,
    account_id: uuid.UUID,
    stays: list[tuple[str, datetime]],
    amount: int,
    *,
    close_date: date | None = None,
    product_id: uuid.UUID | None = None,
) -> uuid.UUID:
    """A deal whose stays are (stage, entered at) in order; each ends when the next begins, the last is open."""
    deal_id = uuid.uuid4()
    final, created = stays[-1][0], stays[0][1]
    closed = stays[-1][1] if final in ("won", "lost") else None
    session.add(
        Opportunity(
            id=deal_id, org_id=org_id, account_id=account_id, owner_id=owner_id, name=f"deal {amount}", stage=final,
            probability=PROBABILITY[final], amount=amount, currency="CNY", close_date=close_date, closed_at=closed,
            created_at=created, updated_at=created, competitors=[],
            forecast_category="closed" if closed else "pipeline",
        )
    )  # fmt: skip
    await session.flush()
    for index, (stage, entered) in enumerate(stays):
        left = stays[index + 1][1] if index + 1 < len(stays) else None
        session.add(StageHistory(org_id=org_id, opportunity_id=deal_id, stage=stage, entered_at=entered, left_at=left))
    if product_id:
        session.add(
            LineItem(org_id=org_id, opportunity_id=deal_id, product_id=product_id, quantity=1, unit_price=amount,
                     amount=amount)
        )  # fmt: skip
    await session.flush()
    return deal_id


async def add_activity(
    session,
    org_id: uuid.UUID,
    owner_id: uuid.UUID,
    account_id: uuid.UUID,
    opportunity_id: uuid.UUID | None,
    at: datetime,
    kind: str = "call",
    direction: str = "outbound",
    outcome: str | None = None,
    contact_id: uuid.UUID | None = None,
) -> uuid.UUID:
    activity = Activity(
        id=uuid.uuid4(), org_id=org_id, account_id=account_id, opportunity_id=opportunity_id, owner_id=owner_id,
        contact_id=contact_id, kind=kind, direction=direction, outcome=outcome, occurred_at=at, summary=kind,
    )  # fmt: skip
    session.add(activity)
    await session.flush()
    return activity.id


async def add_contact(session, org_id: uuid.UUID, account_id: uuid.UUID, *, decision_maker: bool) -> uuid.UUID:
    contact = Contact(
        id=uuid.uuid4(), org_id=org_id, account_id=account_id, name="王总", is_decision_maker=decision_maker
    )
    session.add(contact)
    await session.flush()
    return contact.id


async def add_case(
    session,
    org_id: uuid.UUID,
    account_id: uuid.UUID,
    *,
    kind: str = "support",
    status: str = "open",
    sla_due_at: datetime | None = None,
    first_response_at: datetime | None = None,
) -> uuid.UUID:
    case = SupportCase(
        id=uuid.uuid4(), org_id=org_id, account_id=account_id, kind=kind, status=status, subject="case",
        opened_at=ago(30), sla_due_at=sla_due_at, first_response_at=first_response_at,
    )  # fmt: skip
    session.add(case)
    await session.flush()
    return case.id
