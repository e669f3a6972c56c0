"""Hand-made products, accounts, won deals and contracts written straight into the database."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time

from api.db.models import Account, Contract, LineItem, Opportunity, Product

PROBABILITY = {"lead": 10, "won": 100, "lost": 0}


async def add_product(session, org_id: uuid.UUID, sku: str, next_tier_id: uuid.UUID | None = None) -> uuid.UUID:
    product = Product(
        id=uuid.uuid4(), org_id=org_id, sku=sku, name=f"Product {sku}", list_price=100_00, next_tier_id=next_tier_id
    )
    session.add(product)
    await session.flush()
    return product.id


async def add_account(session, org_id: uuid.UUID, owner_id: uuid.UUID, name: str) -> uuid.UUID:
    account = Account(id=uuid.uuid4(), org_id=org_id, owner_id=owner_id, name=name)
    session.add(account)
    await session.flush()
    return account.id


async def add_deal(
    session,
    org_id: uuid.UUID,
    owner_id: uuid.UUID,
    account_id: uuid.UUID,
    stage: str,
    products: list[uuid.UUID],
    closed_on: date | None = None,
) -> uuid.UUID:
    """A deal in ``stage`` (lead, won or lost) with one line item per product, closed on ``closed_on``."""
    closed_at = datetime.combine(closed_on, time(4), tzinfo=UTC) if closed_on else None
    deal = Opportunity(
        id=uuid.uuid4(), org_id=org_id, account_id=account_id, owner_id=owner_id, name=f"deal {stage}", stage=stage,
        probability=PROBABILITY[stage], amount=100_00, currency="CNY", closed_at=closed_at, competitors=[],
    )  # fmt: skip
    session.add(deal)
    await session.flush()
    for position, product_id in enumerate(products):
        session.add(
            LineItem(org_id=org_id, opportunity_id=deal.id, product_id=product_id, quantity=1, unit_price=100_00,
                     amount=100_00, position=position)
        )  # fmt: skip
    await session.flush()
    return deal.id


async def add_contract(
    session,
    org_id: uuid.UUID,
    account_id: uuid.UUID,
    starts_on: date,
    ends_on: date,
    *,
    product_id: uuid.UUID | None = None,
    status: str = "active",
    renewal_started_on: date | None = None,
) -> uuid.UUID:
    contract = Contract(
        id=uuid.uuid4(), org_id=org_id, account_id=account_id, product_id=product_id, name="contract",
        amount=100_000_00, currency="CNY", starts_on=starts_on, ends_on=ends_on, status=status,
        renewal_started_on=renewal_started_on,
    )  # fmt: skip
    session.add(contract)
    await session.flush()
    return contract.id
