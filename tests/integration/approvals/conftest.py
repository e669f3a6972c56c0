"""An org ready for approvals: the world's people plus finance and legal, the default policies, and a deal."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

import pytest
from litestar.testing import AsyncTestClient

from api.approvals.defaults import ensure_default_policies
from api.db.engine import Database
from api.db.models import Product, User
from tests.conftest import _PASSWORD_HASH, Caller, World, rep_today, sign_in

LIST_PRICE = 5_000_000  # ¥50,000.00 per unit
UNIT_PRICE = 4_500_000


@dataclass
class Org:
    world: World
    finance: Caller
    legal: Caller
    product_id: uuid.UUID
    opportunity: dict  # rep_a's: 10 units at 10 % below list, ¥405,000 in all


async def _user(session, org_id: uuid.UUID, email: str, roles: list[str], locale: str = "en") -> None:
    session.add(
        User(
            id=uuid.uuid4(),
            org_id=org_id,
            email=email,
            name=email.split("@")[0],
            password_hash=_PASSWORD_HASH,
            roles=roles,
            locale=locale,
            timezone="Asia/Shanghai",
        )
    )


@pytest.fixture
async def org(db: Database, client: AsyncTestClient, world: World) -> Org:
    product_id = uuid.uuid4()
    async with db.sessionmaker() as session:
        await _user(session, world.acme, "finance@acme.test", ["finance"])
        await _user(session, world.acme, "legal@acme.test", ["legal"], locale="zh-CN")
        session.add(Product(id=product_id, org_id=world.acme, sku="SCAN-200", name="扫码枪", list_price=LIST_PRICE))
        await ensure_default_policies(session, world.acme)
        await session.commit()
    finance = await sign_in(client, "finance@acme.test")
    legal = await sign_in(client, "legal@acme.test")
    body = {
        "account_id": str(world.account_a),
        "name": "扫码枪 10 台 Scanners",
        "amount": 10 * UNIT_PRICE * 9 // 10,
        "close_date": (rep_today() + timedelta(days=30)).isoformat(),
        "line_items": [{"product_id": str(product_id), "quantity": 10, "unit_price": UNIT_PRICE, "discount_pct": 10}],
    }
    response = await client.post("/api/v1/opportunities", json=body, headers=world.rep_a.headers)
    assert response.status_code == 201, response.text
    return Org(world, finance, legal, product_id, response.json())
