"""Recording what the score reads (buying signals, invoices) and the org's LTV/CAC settings, with their rules."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from api.db.models import Contract, DealSignal, Invoice
from tests.conftest import rep_today
from tests.integration.scoring.records import add_contact, add_deal, ago


@pytest.fixture
async def deal(db, world):
    async with db.sessionmaker() as session:
        deal_id = await add_deal(
            session, world.acme, world.rep_a.user_id, world.account_a, [("lead", ago(50))], 1_000_000,
            close_date=rep_today() + timedelta(days=10),
        )  # fmt: skip
        await session.commit()
    return deal_id


async def _count(db, model) -> int:
    async with db.sessionmaker() as session:
        return (await session.execute(select(func.count()).select_from(model))).scalar_one()


async def test_a_signal_is_recorded_listed_and_moves_the_score(client, world, deal):
    url = f"/api/v1/opportunities/{deal}/signals"
    before = (await client.get(f"/api/v1/opportunities/{deal}/score", headers=world.rep_a.headers)).json()
    assert before["score"] == 50
    created = await client.post(url, json={"kind": "budget_confirmed", "note": "预算已批"}, headers=world.rep_a.headers)
    assert created.status_code == 201, created.text
    signal = created.json()
    assert (signal["kind"], signal["value"], signal["recorded_by"]) == (
        "budget_confirmed",
        True,
        str(world.rep_a.user_id),
    )
    listed = (await client.get(url, headers=world.manager.headers)).json()["items"]
    assert [s["id"] for s in listed] == [signal["id"]]
    after = (await client.get(f"/api/v1/opportunities/{deal}/score", headers=world.rep_a.headers)).json()
    assert after["score"] == 58  # 50 + 8: budget confirmed
    assert after["reasons"][0]["records"] == [{"type": "deal_signal", "id": signal["id"]}]


async def test_a_recorded_decision_maker_signal_counts_and_a_contact_must_be_the_accounts(client, world, db, deal):
    async with db.sessionmaker() as session:
        theirs = await add_contact(session, world.acme, world.account_b, decision_maker=True)
        ours = await add_contact(session, world.acme, world.account_a, decision_maker=True)
        await session.commit()
    url = f"/api/v1/opportunities/{deal}/signals"
    wrong = await client.post(
        url, json={"kind": "decision_maker_involved", "contact_id": str(theirs)}, headers=world.rep_a.headers
    )
    assert wrong.status_code == 422
    assert wrong.json()["errors"][0]["field"] == "contact_id"
    fine = await client.post(
        url,
        json={"kind": "decision_maker_involved", "value": False, "contact_id": str(ours)},
        headers=world.rep_a.headers,
    )
    assert fine.status_code == 201, fine.text
    score = (await client.get(f"/api/v1/opportunities/{deal}/score", headers=world.rep_a.headers)).json()
    assert score["score"] == 42  # 50 − 8: recorded as not involved
    assert await _count(db, DealSignal) == 1


@pytest.mark.parametrize(
    "body",
    [
        {"kind": "budget"},
        {"kind": "budget_confirmed", "value": "yes"},
        {"kind": "budget_confirmed", "recorded_at": "2999-01-01T00:00:00Z"},
        {"kind": "budget_confirmed", "recorded_at": "2026-01-01T00:00:00"},
        {"kind": "budget_confirmed", "by": "me"},
        {"kind": "budget_confirmed", "note": "x" * 2001},
    ],
)
async def test_bad_signals_are_refused_and_change_nothing(client, world, db, deal, body):
    response = await client.post(f"/api/v1/opportunities/{deal}/signals", json=body, headers=world.rep_a.headers)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert await _count(db, DealSignal) == 0


async def test_signals_stay_within_reach(client, world, db, deal):
    for caller in (world.rep_b, world.outsider):
        url = f"/api/v1/opportunities/{deal}/signals"
        assert (await client.get(url, headers=caller.headers)).status_code == 404
        assert (await client.post(url, json={"kind": "budget_confirmed"}, headers=caller.headers)).status_code == 404
    assert await _count(db, DealSignal) == 0


async def test_an_invoice_is_recorded_marked_paid_with_if_match_and_counts_for_punctuality(client, world, db, deal):
    today = rep_today()
    body = {
        "account_id": str(world.account_a),
        "number": "INV-1",
        "amount": 100_00,
        "due_on": str(today - timedelta(days=5)),
    }
    created = await client.post("/api/v1/invoices", json=body, headers=world.rep_a.headers)
    assert created.status_code == 201, created.text
    invoice = created.json()
    assert (invoice["currency"], invoice["paid_on"], created.headers["etag"]) == ("CNY", None, '"1"')
    # Unpaid past its due date: late. 5 × (2 × 0/1 − 1) = −5.
    score = (await client.get(f"/api/v1/opportunities/{deal}/score", headers=world.rep_a.headers)).json()
    assert {r["key"]: r["contribution"] for r in score["reasons"]} == {"payment_punctuality": -5.0}
    url = f"/api/v1/invoices/{invoice['id']}"
    paid = {"paid_on": str(today - timedelta(days=6))}
    assert (await client.patch(url, json=paid, headers=world.rep_a.headers)).status_code == 428
    stale = await client.patch(url, json=paid, headers={**world.rep_a.headers, "If-Match": '"7"'})
    assert stale.status_code == 412
    updated = await client.patch(url, json=paid, headers={**world.rep_a.headers, "If-Match": '"1"'})
    assert updated.status_code == 200, updated.text
    assert (updated.json()["paid_on"], updated.headers["etag"]) == (paid["paid_on"], '"2"')
    score = (await client.get(f"/api/v1/opportunities/{deal}/score", headers=world.rep_a.headers)).json()
    assert {r["key"]: r["contribution"] for r in score["reasons"]} == {"payment_punctuality": 5.0}  # paid before due
    listed = (
        await client.get("/api/v1/invoices", params={"account_id": str(world.account_a)}, headers=world.manager.headers)
    ).json()
    assert [i["id"] for i in listed["items"]] == [invoice["id"]]
    for caller in (world.rep_b, world.outsider):
        assert (await client.get(url, headers=caller.headers)).status_code == 404
        assert (await client.get("/api/v1/invoices", headers=caller.headers)).json()["items"] == []


@pytest.mark.parametrize(
    "change",
    [
        {"amount": -1},
        {"currency": "cny"},
        {"due_on": "2026-13-01"},
        {"paid_on": "2999-01-01"},
        {"account_id": None},
        {"status": "paid"},
    ],
)
async def test_bad_invoices_are_refused_and_change_nothing(client, world, db, change):
    body = {"account_id": str(world.account_a), "amount": 100, "due_on": "2026-01-01", **change}
    response = await client.post("/api/v1/invoices", json=body, headers=world.rep_a.headers)
    assert response.status_code == 422, response.text
    assert await _count(db, Invoice) == 0


async def test_an_invoice_for_an_account_out_of_reach_is_refused(client, world, db):
    body = {"account_id": str(world.account_b), "amount": 100, "due_on": "2026-01-01"}
    response = await client.post("/api/v1/invoices", json=body, headers=world.rep_a.headers)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "account_id"
    assert await _count(db, Invoice) == 0


async def test_settings_are_for_admins_with_if_match_and_move_the_low_value_flag(client, world, db, deal):
    for caller in (world.rep_a, world.manager):
        assert (await client.get("/api/v1/org/settings", headers=caller.headers)).status_code == 403
    read = await client.get("/api/v1/org/settings", headers=world.admin.headers)
    assert read.status_code == 200
    assert read.json() == {
        "currency": "CNY", "cost_per_activity": 10_000, "cost_per_visit": 50_000, "cost_per_pipeline_day": 5_000,
        "gross_margin_pct": 60.0, "expected_renewals": None, "ltv_cac_threshold": 3.0, "renewals_in_use": 0.0,
        "renewals_basis": "none", "version": 1,
    }  # fmt: skip
    # The deal: lead 10 %, 1,000,000 → LTV 600,000, EV 60,000; cost: 60 days (50 ago → 10 ahead) × 5,000 = 300,000.
    value = (await client.get(f"/api/v1/opportunities/{deal}/score", headers=world.rep_a.headers)).json()["value"]
    assert (value["expected_value"], value["cost"], value["ratio"], value["low_value"]) == (60_000, 300_000, 0.2, True)
    change = {"cost_per_pipeline_day": 100, "expected_renewals": 2}
    assert (await client.patch("/api/v1/org/settings", json=change, headers=world.admin.headers)).status_code == 428
    rep = await client.patch("/api/v1/org/settings", json=change, headers={**world.rep_a.headers, "If-Match": '"1"'})
    assert rep.status_code == 403
    updated = await client.patch(
        "/api/v1/org/settings", json=change, headers={**world.admin.headers, "If-Match": '"1"'}
    )
    assert updated.status_code == 200, updated.text
    assert (updated.headers["etag"], updated.json()["renewals_basis"], updated.json()["renewals_in_use"]) == (
        '"2"',
        "settings",
        2.0,
    )
    # LTV 1,000,000 × 60 % × 3 = 1,800,000; EV 180,000; cost 60 × 100 = 6,000 → ratio 30: not low.
    value = (await client.get(f"/api/v1/opportunities/{deal}/score", headers=world.rep_a.headers)).json()["value"]
    assert (value["ltv"], value["expected_value"], value["cost"], value["ratio"], value["low_value"]) == (
        1_800_000,
        180_000,
        6_000,
        30.0,
        False,
    )
    again = await client.patch(
        "/api/v1/org/settings", json={"ltv_cac_threshold": 31}, headers={**world.admin.headers, "If-Match": '"1"'}
    )
    assert again.status_code == 412
    stricter = await client.patch(
        "/api/v1/org/settings", json={"ltv_cac_threshold": 31}, headers={**world.admin.headers, "If-Match": '"2"'}
    )
    assert stricter.status_code == 200
    value = (await client.get(f"/api/v1/opportunities/{deal}/score", headers=world.rep_a.headers)).json()["value"]
    assert (value["threshold"], value["low_value"]) == (31.0, True)


@pytest.mark.parametrize(
    "change",
    [
        {"gross_margin_pct": 101},
        {"ltv_cac_threshold": 0},
        {"cost_per_visit": -5},
        {"expected_renewals": -1},
        {"currency": "USD"},
    ],
)
async def test_bad_settings_are_refused_and_change_nothing(client, world, change):
    response = await client.patch(
        "/api/v1/org/settings", json=change, headers={**world.admin.headers, "If-Match": '"1"'}
    )
    assert response.status_code == 422, response.text
    read = (await client.get("/api/v1/org/settings", headers=world.admin.headers)).json()
    assert (read["version"], read["gross_margin_pct"], read["cost_per_visit"]) == (1, 60.0, 50_000)


async def test_expected_renewals_are_learned_from_contract_history(client, world, db):
    """5 original contracts and 3 renewals of them: 3 / 5 = 0.6 renewals per won deal."""
    async with db.sessionmaker() as session:
        originals = []
        for n in range(5):
            contract = Contract(
                id=uuid.uuid4(), org_id=world.acme, account_id=world.account_a, name=f"c{n}",
                starts_on=date(2024, 1, 1), ends_on=date(2024, 12, 31),
            )  # fmt: skip
            session.add(contract)
            originals.append(contract.id)
        await session.flush()
        for n in range(3):
            session.add(
                Contract(id=uuid.uuid4(), org_id=world.acme, account_id=world.account_a, name=f"r{n}",
                         renews_id=originals[n], starts_on=date(2025, 1, 1), ends_on=date(2025, 12, 31))
            )  # fmt: skip
        await session.commit()
    read = (await client.get("/api/v1/org/settings", headers=world.admin.headers)).json()
    assert (read["renewals_in_use"], read["renewals_basis"]) == (0.6, "history")
