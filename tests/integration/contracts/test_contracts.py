"""Contracts: recorded on an account within reach, changed with If-Match (one amendment per changed term),
renewed once, with monthly usage readings and the product tier ladder."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from api.db.models import Contract, ContractAmendment, Product, ProductUsage
from tests.integration.contracts.records import add_deal, add_product

BODY = {
    "name": "2026 年度服务合同 Annual service",
    "scope": "50 seats",
    "payment_terms": "net 30",
    "amount": 120_000_00,
    "starts_on": "2026-01-01",
    "ends_on": "2026-12-31",
}


@pytest.fixture
async def product(db, world) -> uuid.UUID:
    async with db.sessionmaker() as session:
        product_id = await add_product(session, world.acme, "SEAT")
        await session.commit()
    return product_id


async def create(client, world, caller=None, account=None, **fields):
    caller = caller or world.rep_a
    url = f"/api/v1/accounts/{account or world.account_a}/contracts"
    return await client.post(url, json={**BODY, **fields}, headers=caller.headers)


async def count(db, model) -> int:
    async with db.sessionmaker() as session:
        return (await session.execute(select(func.count()).select_from(model))).scalar_one()


async def test_a_contract_is_recorded_and_seen_exactly_as_its_account(client, world, product, db):
    contract_id = str(uuid.uuid4())
    created = await create(client, world, id=contract_id, product_id=str(product))
    assert created.status_code == 201, created.text
    body = created.json()
    assert (body["id"], body["status"], body["currency"], body["version"]) == (contract_id, "active", "CNY", 1)
    assert created.headers["etag"] == '"1"'
    listed = lambda caller, account=world.account_a: client.get(  # noqa: E731
        f"/api/v1/accounts/{account}/contracts", headers=caller.headers
    )
    assert [c["id"] for c in (await listed(world.rep_a)).json()["items"]] == [contract_id]
    # rep_a's manager and the admin see it; rep_b (same team, not theirs), rep_c and another org do not.
    assert [c["id"] for c in (await listed(world.manager)).json()["items"]] == [contract_id]
    assert (await client.get(f"/api/v1/contracts/{contract_id}", headers=world.admin.headers)).status_code == 200
    for caller in (world.rep_b, world.rep_c, world.outsider):
        assert (await client.get(f"/api/v1/contracts/{contract_id}", headers=caller.headers)).status_code == 404
        assert (await listed(caller)).status_code == 404
        assert (await create(client, world, caller=caller)).status_code == 404
    assert await count(db, Contract) == 1


async def test_bad_contracts_are_refused_and_nothing_is_written(client, world, product, db):
    async with db.sessionmaker() as session:
        other_account_deal = await add_deal(session, world.acme, world.rep_b.user_id, world.account_b, "lead", [])
        await session.commit()
    cases = [
        ({"ends_on": "2025-12-31"}, "ends_on", "before_start"),
        ({"renewal_started_on": "2025-11-01"}, "renewal_started_on", "before_start"),
        ({"product_id": str(uuid.uuid4())}, "product_id", "unknown"),
        ({"opportunity_id": str(other_account_deal)}, "opportunity_id", "unknown"),
        ({"amount": -1}, "amount", "invalid"),
        ({"currency": "rmb"}, "currency", "invalid"),
        ({"status": "renewed"}, "status", "invalid"),
        ({"renews_id": str(uuid.uuid4())}, "renews_id", "not_allowed"),
    ]
    for fields, field, code in cases:
        response = await create(client, world, **fields)
        assert response.status_code == 422, (fields, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
        assert (response.json()["errors"][0]["field"], response.json()["errors"][0]["code"]) == (field, code)
    assert await count(db, Contract) == 0


async def test_each_changed_term_is_one_amendment(client, world, db):
    created = (await create(client, world)).json()
    url = f"/api/v1/contracts/{created['id']}"
    assert (await client.patch(url, json={"scope": "60 seats"}, headers=world.rep_a.headers)).status_code == 428
    headers = {**world.rep_a.headers, "If-Match": '"1"'}
    # Three terms change (scope, payment terms, amount) and one plain field (name): three amendments.
    changes = {"scope": "60 seats", "payment_terms": "net 60", "amount": 150_000_00, "name": "renamed"}
    changed = await client.patch(url, json=changes, headers=headers)
    assert changed.status_code == 200, changed.text
    assert changed.headers["etag"] == '"2"'
    # The same values again change nothing: no amendment, no new version.
    again = await client.patch(url, json=changes, headers={**world.rep_a.headers, "If-Match": '"2"'})
    assert again.status_code == 200 and again.json()["version"] == 2
    # A stale version is refused and writes nothing.
    stale = await client.patch(url, json={"scope": "x"}, headers=headers)
    assert stale.status_code == 412
    # The end date moves (the payment terms are sent unchanged): one more amendment.
    moved = await client.patch(
        url,
        json={"ends_on": "2027-03-31", "payment_terms": "net 60"},
        headers={**world.rep_a.headers, "If-Match": '"2"'},
    )
    assert moved.status_code == 200 and moved.json()["version"] == 3
    amendments = (await client.get(f"{url}/amendments", headers=world.manager.headers)).json()["items"]
    got = sorted((a["term"], a["old_value"], a["new_value"]) for a in amendments)
    assert got == [
        ("amount", "12000000", "15000000"),
        ("ends_on", "2026-12-31", "2027-03-31"),
        ("payment_terms", "net 30", "net 60"),
        ("scope", "50 seats", "60 seats"),
    ]
    assert {a["changed_by"] for a in amendments} == {str(world.rep_a.user_id)}
    assert (await client.get(f"{url}/amendments", headers=world.rep_b.headers)).status_code == 404
    assert await count(db, ContractAmendment) == 4


async def test_a_contract_is_renewed_once_and_its_terms_carry_over(client, world, db):
    old = (await create(client, world)).json()
    url = f"/api/v1/contracts/{old['id']}/renewal"
    refused = await client.post(
        url, json={"ends_on": "2027-12-31", "renewal_started_on": "2025-12-01"}, headers=world.rep_a.headers
    )
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "renewal_started_on"
    backwards = await client.post(url, json={"ends_on": "2026-06-30"}, headers=world.rep_a.headers)
    assert backwards.status_code == 422 and backwards.json()["errors"][0]["field"] == "ends_on"
    assert (await client.post(url, json={"ends_on": "2027-12-31"}, headers=world.rep_b.headers)).status_code == 404
    assert await count(db, Contract) == 1
    renewed = await client.post(
        url, json={"ends_on": "2027-12-31", "renewal_started_on": "2026-10-15", "amount": 130_000_00},
        headers=world.rep_a.headers,
    )  # fmt: skip
    assert renewed.status_code == 201, renewed.text
    body = renewed.json()
    assert body["renewed"]["status"] == "renewed"
    assert body["renewed"]["renewal_started_on"] == "2026-10-15"
    new = body["renewal"]
    assert (new["renews_id"], new["starts_on"], new["ends_on"], new["status"]) == (
        old["id"], "2027-01-01", "2027-12-31", "active",
    )  # fmt: skip
    assert (new["scope"], new["payment_terms"], new["amount"], new["name"]) == (
        "50 seats", "net 30", 130_000_00, BODY["name"],
    )  # fmt: skip
    again = await client.post(url, json={"ends_on": "2028-12-31"}, headers=world.rep_a.headers)
    assert again.status_code == 409
    # A renewed contract keeps its status.
    patched = await client.patch(
        f"/api/v1/contracts/{old['id']}", json={"status": "cancelled"},
        headers={**world.rep_a.headers, "If-Match": f'"{body["renewed"]["version"]}"'},
    )  # fmt: skip
    assert patched.status_code == 409
    listed = (await client.get(f"/api/v1/accounts/{world.account_a}/contracts", headers=world.rep_a.headers)).json()
    assert [c["status"] for c in listed["items"]] == ["renewed", "active"]


async def test_usage_is_one_reading_per_account_product_and_month(client, world, product, db):
    url = f"/api/v1/accounts/{world.account_a}/usage"
    first = await client.post(
        url, json={"product_id": str(product), "month": "2026-10-01", "quantity": 40, "tier_limit": 50},
        headers=world.rep_a.headers,
    )  # fmt: skip
    assert first.status_code == 201, first.text
    # Another day of the same month replaces the reading.
    second = await client.post(
        url, json={"product_id": str(product), "month": "2026-10-20", "quantity": 47, "tier_limit": 50},
        headers=world.rep_a.headers,
    )  # fmt: skip
    assert second.status_code == 200
    assert (second.json()["id"], second.json()["month"], second.json()["quantity"]) == (
        first.json()["id"], "2026-10-01", 47,
    )  # fmt: skip
    november = {"product_id": str(product), "month": "2026-11-01", "quantity": 49}
    assert (await client.post(url, json=november, headers=world.rep_a.headers)).status_code == 201
    readings = (await client.get(url, headers=world.rep_a.headers)).json()["items"]
    assert [(r["month"], r["quantity"], r["tier_limit"]) for r in readings] == [
        ("2026-10-01", 47, 50), ("2026-11-01", 49, None),
    ]  # fmt: skip
    for body, field in (
        ({**november, "quantity": -1}, "quantity"),
        ({**november, "tier_limit": 0}, "tier_limit"),
        ({**november, "product_id": str(uuid.uuid4())}, "product_id"),
        ({**november, "month": "2026-13"}, "month"),
    ):
        refused = await client.post(url, json=body, headers=world.rep_a.headers)
        assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == field, refused.text
    assert (await client.post(url, json=november, headers=world.rep_b.headers)).status_code == 404
    assert (await client.get(url, headers=world.rep_c.headers)).status_code == 404
    assert await count(db, ProductUsage) == 2


async def test_admins_set_the_next_tier_without_loops(client, world, db):
    async with db.sessionmaker() as session:
        basic = await add_product(session, world.acme, "BASIC")
        pro = await add_product(session, world.acme, "PRO")
        elite = await add_product(session, world.acme, "ELITE")
        foreign = await add_product(session, world.other, "FOREIGN")
        await session.commit()
    tier = lambda product_id, caller, target: client.put(  # noqa: E731
        f"/api/v1/products/{product_id}/next-tier",
        json={"next_tier_id": str(target) if target else None},
        headers=caller.headers,
    )
    assert (await tier(basic, world.rep_a, pro)).status_code == 403
    set_ = await tier(basic, world.admin, pro)
    assert set_.status_code == 200 and set_.json()["next_tier_id"] == str(pro)
    assert (await tier(pro, world.admin, elite)).status_code == 200
    # ELITE → BASIC would close the loop BASIC → PRO → ELITE → BASIC; a product cannot be its own next tier.
    loop = await tier(elite, world.admin, basic)
    assert loop.status_code == 422 and loop.json()["errors"][0]["code"] == "cycle"
    assert (await tier(elite, world.admin, elite)).json()["errors"][0]["code"] == "cycle"
    assert (await tier(elite, world.admin, foreign)).json()["errors"][0]["code"] == "unknown"
    assert (await tier(foreign, world.admin, None)).status_code == 404
    async with db.sessionmaker() as session:
        ladder = dict((await session.execute(select(Product.sku, Product.next_tier_id))).all())
    assert ladder == {"BASIC": pro, "PRO": elite, "ELITE": None, "FOREIGN": None}
    catalogue = (await client.get("/api/v1/products", headers=world.rep_a.headers)).json()["items"]
    assert {p["sku"]: p["next_tier_id"] for p in catalogue} == {"BASIC": str(pro), "PRO": str(elite), "ELITE": None}
    assert (await tier(basic, world.admin, None)).json()["next_tier_id"] is None
