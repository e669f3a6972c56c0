"""Cross-sell on six hand-made customers, every figure worked out by hand.

What each customer bought (from won deals' line items and from contracts; open and lost deals do not count):
  acc1 (world.account_a, rep_a): A won two years ago; B under an active contract      → {A, B}
  acc2 (world.account_b, rep_b): A and B under active contracts, A since two years ago  → {A, B}
  acc3 (world.account_c, rep_c): one deal with A and C, won six months ago              → {A, C}
  acc4 (rep_c): A under an active contract since ``months`` months ago; a lost deal B   → {A}
  acc5 (rep_c): C won a year ago; an open deal with B                                   → {C}
  acc6 (rep_c): C under a contract cancelled (bought, no longer held)                   → {C}

Six baskets: A 4, B 2, C 3; AB 2, AC 1, BC 0.
At min_support 0.3 (2 of 6): A (4/6), B (2/6) and C (3/6) are frequent; AB (2/6) is, AC (1/6) is not.
  A → B: support 2/6 = 0.3333, confidence 2/4 = 0.5, lift 0.5 / (2/6) = 1.5.
  B → A: support 0.3333, confidence 2/2 = 1.0, lift 1.0 / (4/6) = 1.5.
Tenure ("owned A for over 12 months"): acc1 and acc2 (two years), and acc4 once its contract is over 12 months old.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from api.retention.cross_sell import shift_months
from tests.conftest import rep_today
from tests.integration.contracts.records import add_account, add_contract, add_deal, add_product


async def products_and_customers(db, world, months: int):
    today = rep_today()
    two_years = shift_months(today, -24)
    next_year = today + timedelta(days=365)
    rep_a, rep_c = world.rep_a.user_id, world.rep_c.user_id
    acme = world.acme
    async with db.sessionmaker() as session:
        pro = await add_product(session, acme, "PRO")
        basic = await add_product(session, acme, "BASIC", next_tier_id=pro)
        a = await add_product(session, acme, "A")
        b = await add_product(session, acme, "B")
        c = await add_product(session, acme, "C")
        acc1, acc2, acc3 = world.account_a, world.account_b, world.account_c
        acc4 = await add_account(session, acme, rep_c, "acc4")
        acc5 = await add_account(session, acme, rep_c, "acc5")
        acc6 = await add_account(session, acme, rep_c, "acc6")
        await add_deal(session, acme, rep_a, acc1, "won", [a], closed_on=two_years)
        await add_contract(session, acme, acc1, shift_months(today, -3), next_year, product_id=b)
        await add_contract(session, acme, acc2, two_years, next_year, product_id=a)
        await add_contract(session, acme, acc2, shift_months(today, -6), next_year, product_id=b)
        await add_deal(session, acme, rep_c, acc3, "won", [a, c], closed_on=shift_months(today, -6))
        await add_contract(session, acme, acc4, shift_months(today, -months), next_year, product_id=a)
        await add_deal(session, acme, rep_c, acc4, "lost", [b], closed_on=shift_months(today, -2))
        await add_deal(session, acme, rep_c, acc5, "won", [c], closed_on=shift_months(today, -12))
        await add_deal(session, acme, rep_c, acc5, "lead", [b])
        await add_contract(session, acme, acc6, two_years, next_year, product_id=c, status="cancelled")
        await session.commit()
    return {"A": a, "B": b, "C": c, "BASIC": basic, "PRO": pro}, {"acc4": acc4, "acc5": acc5, "acc6": acc6}


RULES = "/api/v1/insights/cross-sell/rules"


def recs_url(account_id: uuid.UUID, **params: object) -> str:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return f"/api/v1/accounts/{account_id}/recommendations" + (f"?{query}" if query else "")


async def test_rules_have_the_support_confidence_and_lift_worked_by_hand(client, world, db):
    products, _ = await products_and_customers(db, world, months=13)
    name = {v: k for k, v in products.items()}
    response = await client.get(f"{RULES}?min_support=0.3&min_confidence=0.5", headers=world.rep_a.headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["baskets"] == 6
    got = [
        ([name[uuid.UUID(p["id"])] for p in r["antecedent"]], name[uuid.UUID(r["consequent"]["id"])],
         r["support"], r["confidence"], r["lift"], r["both_count"], r["antecedent_count"], r["consequent_count"])
        for r in body["rules"]
    ]  # fmt: skip
    # Equal lift: the higher confidence first.
    assert got == [(["B"], "A", 0.3333, 1.0, 1.5, 2, 2, 4), (["A"], "B", 0.3333, 0.5, 1.5, 2, 4, 2)]
    # Tenure baskets add "A over 12 months" to acc1, acc2 and acc4 (13 months): 3 of 6, 2 of whom own B.
    #   A(12m+) → B: support 2/6, confidence 2/3 = 0.6667, lift 0.6667 / (2/6) = 2.0.
    tenure = [
        (r["held_over_months"], [name[uuid.UUID(p["id"])] for p in r["antecedent"]],
         name[uuid.UUID(r["consequent"]["id"])], r["confidence"], r["lift"], r["both_count"], r["antecedent_count"])
        for r in body["tenure_rules"]
    ]  # fmt: skip
    assert tenure == [(12, ["A"], "B", 0.6667, 2.0, 2, 3)]
    # A confidence above 0.5 drops A → B (0.5) but keeps B → A (1.0).
    stricter = (await client.get(f"{RULES}?min_support=0.3&min_confidence=0.51", headers=world.rep_a.headers)).json()
    assert [(name[uuid.UUID(r["consequent"]["id"])]) for r in stricter["rules"]] == ["A"]
    # Support 0.5 (3 of 6): no pair is frequent enough, so there is no rule.
    assert (await client.get(f"{RULES}?min_support=0.5", headers=world.rep_a.headers)).json()["rules"] == []


@pytest.mark.parametrize(("months", "fires"), [(11, False), (12, False), (13, True)])
async def test_the_tenure_rule_fires_only_after_twelve_months(client, world, db, months, fires):
    _, accounts = await products_and_customers(db, world, months=months)
    response = await client.get(recs_url(accounts["acc4"], min_support=0.3), headers=world.rep_c.headers)
    assert response.status_code == 200, response.text
    items = response.json()["items"]
    kinds = {(i["kind"], i["product"]["sku"]) for i in items}
    # A → B (confidence 0.5, lift 1.5) applies whatever the tenure: acc4 owns A and not B.
    assert ("association", "B") in kinds
    assert (("tenure", "B") in kinds) is fires
    if fires:
        tenure = next(i for i in items if i["kind"] == "tenure")
        # acc1, acc2, acc4 owned A for over 12 months; acc1 and acc2 own B: confidence 2/3, lift 2.0.
        assert tenure["tenure"]["months_owned"] == 13
        assert tenure["tenure"]["product"]["sku"] == "A"
        rule = tenure["rule"]
        assert (rule["both_count"], rule["antecedent_count"], rule["confidence"], rule["lift"]) == (2, 3, 0.6667, 2.0)
        assert "13 months" in tenure["reason_en"] and "13 个月" in tenure["reason_zh"]
    else:
        # Without acc4, two customers owned A for over 12 months, both own B: the rule exists, acc4 is not due.
        rules = (await client.get(f"{RULES}?min_support=0.3", headers=world.rep_c.headers)).json()["tenure_rules"]
        assert [(r["antecedent_count"], r["both_count"], r["confidence"]) for r in rules] == [(2, 2, 1.0)]


async def test_association_evidence_and_reason(client, world, db):
    await products_and_customers(db, world, months=13)
    body = (await client.get(recs_url(world.account_c, min_support=0.3), headers=world.rep_c.headers)).json()
    # acc3 holds A and C: A → B is the rule to use; nothing is offered that acc3 holds.
    assert [(i["kind"], i["product"]["sku"]) for i in body["items"]] == [("association", "B")]
    item = body["items"][0]
    rule = item["rule"]
    assert [p["sku"] for p in rule["antecedent"]] == ["A"]
    assert (rule["support"], rule["confidence"], rule["lift"], rule["baskets"]) == (0.3333, 0.5, 1.5, 6)
    assert item["reason_en"] == ("Customers who own Product A also buy Product B: 2 of 4 (50%), lift 1.50.")
    assert item["reason_zh"] == "拥有Product A的 4 家客户中，2 家也购买了Product B（50%，提升度 1.50）。"
    zh = await client.get(
        recs_url(world.account_c, min_support=0.3), headers={**world.rep_c.headers, "Accept-Language": "zh-CN"}
    )
    assert zh.json()["items"][0]["reason"] == item["reason_zh"]
    # acc1 holds A and B: nothing left to offer from these rules.
    held_all = (await client.get(recs_url(world.account_a, min_support=0.3), headers=world.rep_a.headers)).json()
    assert held_all["items"] == []


async def test_the_tier_rule_proposes_the_next_tier_at_the_threshold(client, world, db):
    products, accounts = await products_and_customers(db, world, months=13)
    today = rep_today()
    this_month, last_month = today.replace(day=1), shift_months(today.replace(day=1), -1)
    usage = f"/api/v1/accounts/{accounts['acc5']}/usage"
    for month, quantity in ((last_month, 70), (this_month, 92)):
        body = {"product_id": str(products["BASIC"]), "month": month.isoformat(), "quantity": quantity,
                "tier_limit": 100}  # fmt: skip
        assert (await client.post(usage, json=body, headers=world.rep_c.headers)).status_code == 201
    # Latest reading 92 of 100 = 0.92 ≥ 0.9: propose PRO, with the two readings as evidence (newest first).
    body = (await client.get(recs_url(accounts["acc5"]), headers=world.rep_c.headers)).json()
    tier = [i for i in body["items"] if i["kind"] == "tier"]
    assert len(tier) == 1
    assert (tier[0]["product"]["sku"], tier[0]["current_product"]["sku"]) == ("PRO", "BASIC")
    assert [(u["quantity"], u["tier_limit"], u["ratio"]) for u in tier[0]["usage"]] == [(92, 100, 0.92), (70, 100, 0.7)]
    assert tier[0]["usage_threshold"] == 0.9
    assert tier[0]["reason_en"] == (
        f"Used 92 of 100 (92%) of Product BASIC in {this_month:%Y-%m}; propose Product PRO."
    )
    # Above the reading's share, no proposal: 0.92 < 0.93.
    higher = (await client.get(recs_url(accounts["acc5"], usage_threshold=0.93), headers=world.rep_c.headers)).json()
    assert [i for i in higher["items"] if i["kind"] == "tier"] == []
    # A reading from three months before this one says nothing about today: acc6's full tier is not proposed.
    old = {"product_id": str(products["BASIC"]), "month": shift_months(this_month, -3).isoformat(), "quantity": 100,
           "tier_limit": 100}  # fmt: skip
    assert (
        await client.post(f"/api/v1/accounts/{accounts['acc6']}/usage", json=old, headers=world.rep_c.headers)
    ).status_code == 201
    stale = (await client.get(recs_url(accounts["acc6"]), headers=world.rep_c.headers)).json()
    assert [i for i in stale["items"] if i["kind"] == "tier"] == []


async def test_recommendations_stay_within_reach_and_bad_thresholds_are_refused(client, world, db):
    _, accounts = await products_and_customers(db, world, months=13)
    for caller in (world.rep_a, world.manager, world.outsider):
        assert (await client.get(recs_url(accounts["acc4"]), headers=caller.headers)).status_code == 404
    assert (await client.get(recs_url(accounts["acc4"]), headers=world.admin.headers)).status_code == 200
    assert (await client.get(recs_url(uuid.uuid4()), headers=world.admin.headers)).status_code == 404
    # Another org mines its own customers only: it has none.
    assert (await client.get(RULES, headers=world.outsider.headers)).json()["baskets"] == 0
    for query in ("min_support=0", "min_support=1.5", "min_confidence=-0.1", "min_support=abc", "limit=0",
                  "min_lift=-1"):  # fmt: skip
        response = await client.get(f"{RULES}?{query}", headers=world.rep_a.headers)
        assert response.status_code in (400, 422), (query, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
    refused = await client.get(recs_url(accounts["acc4"], usage_threshold=0), headers=world.admin.headers)
    assert refused.status_code in (400, 422)
