"""Suggestions: what fits a deal, found from its industry, competitors, stage and line items."""

import uuid

from api.db.models import Product
from tests.integration.knowledge.conftest import topic_ids
from tests.integration.opportunities.helpers import create as create_opportunity

SUGGESTIONS = "/api/v1/knowledge/suggestions"


async def _setup(client, db, world) -> tuple[dict, dict]:
    async with db.sessionmaker() as session:
        product = Product(
            id=uuid.uuid4(), org_id=world.acme, sku="FL-TH10", name="温湿度传感器 TH-10", list_price=48_000
        )
        session.add(product)
        await session.commit()
    account = await client.post(
        "/api/v1/accounts", json={"name": "浦东冷链物流", "industry": "物流 Logistics"}, headers=world.rep_a.headers
    )
    assert account.status_code == 201, account.text
    deal = await create_opportunity(
        client,
        world.rep_a,
        account.json()["id"],
        stage="qualified",
        competitors=["Siemens", "研华 Advantech"],
        amount=1_920_000,
        line_items=[{"product_id": str(product.id), "quantity": 40, "unit_price": 48_000}],
    )
    return account.json(), deal


def _by_reason(items: list[dict]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for item in items:
        out.setdefault(item["reason"], set()).add(item["id"])
    return out


async def test_an_opportunity_gets_what_fits_it(client, db, world, demo_kb):
    _, deal = await _setup(client, db, world)
    response = await client.get(
        SUGGESTIONS, params={"opportunity_id": deal["id"], "lang": "en"}, headers=world.rep_a.headers
    )
    assert response.status_code == 200, response.text
    items = response.json()["items"]
    reasons = _by_reason(items)
    assert reasons["product"] == {demo_kb["sheet-fl-th10:en"]}
    assert reasons["competitor"] == {demo_kb["battlecard-siemens:en"], demo_kb["battlecard-advantech:en"]}
    assert reasons["stage"] == {demo_kb["objection-no-budget:en"]}
    assert topic_ids(demo_kb, "proposal-logistics-coldchain") & reasons["industry"]
    assert topic_ids(demo_kb, "case-coldchain-logistics") & reasons["industry"]
    assert all(item["lang"] == "en" for item in items)
    siemens = next(i for i in items if i["id"] == demo_kb["battlecard-siemens:en"])
    assert siemens["matched"] == "Siemens" and siemens["kind"] == "battlecard"
    assert not topic_ids(demo_kb, "price-list-2027-draft") & {i["id"] for i in items}


async def test_an_account_gets_what_fits_its_open_deals(client, db, world, demo_kb):
    account, _ = await _setup(client, db, world)
    response = await client.get(
        SUGGESTIONS, params={"account_id": account["id"], "lang": "zh-CN"}, headers=world.rep_a.headers
    )
    reasons = _by_reason(response.json()["items"])
    assert reasons["product"] == {demo_kb["sheet-fl-th10:zh-CN"]}
    assert demo_kb["battlecard-siemens:zh-CN"] in reasons["competitor"]
    assert demo_kb["proposal-logistics-coldchain:zh-CN"] in reasons["industry"]


async def test_suggestions_respect_reach_and_ask_for_one_subject(client, db, world, demo_kb):
    account, deal = await _setup(client, db, world)
    for caller in (world.rep_b, world.outsider):
        hidden = await client.get(SUGGESTIONS, params={"opportunity_id": deal["id"]}, headers=caller.headers)
        assert hidden.status_code == 404
    both = await client.get(
        SUGGESTIONS, params={"opportunity_id": deal["id"], "account_id": account["id"]}, headers=world.rep_a.headers
    )
    neither = await client.get(SUGGESTIONS, headers=world.rep_a.headers)
    assert both.status_code == neither.status_code == 422
