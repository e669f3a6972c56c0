"""The opportunity score, its win probability and its value figures on hand-made deals, worked out in the comments.

Three open deals in Acme (no closed deals: no model, so the stage's probability stands in):

- D (rep_a, account A, proposal 60 %, 1,000,000, created 300 days ago, close in 30 days). Its activities:
  4 outbound emails 5 days ago (3 opened), a meeting attended by a decision maker 10 days ago, an inbound call
  20 days ago, an outbound call 60 days ago, a visit 200 days ago.
  → 30 days: 6 interactions; 90 days: 7; inbound: 1; emails 3/4 opened; meetings 1/1 attended; 7 activities
  and 1 visit logged in all.
- P1 (rep_b, account B, lead 10 %, 200,000, created 100 days ago, close in 10 days): 2 outbound calls 40 days ago.
- P2 (rep_b, account B, negotiation 80 %, 100,000,000, created 60 days ago, close in 20 days): 2 outbound calls
  3 days ago, 2 inbound calls 50 days ago.

The typical deal (medians over these three active deals): 30 days [6, 0, 2] → 2; 90 days [7, 2, 4] → 4;
inbound [1, 0, 2] → 1.

D's budget: confirmed 10 days ago, then recorded as not there 2 days ago (the latest counts). Account A: invoices
due in the past: one paid on time, one paid late, one unpaid (and one not due yet, ignored); support cases: one
answered within its SLA, one without an SLA (ignored), and an open complaint whose SLA has not passed (ignored for
responsiveness, but it weighs on the win probability).
"""

from __future__ import annotations

import math
import uuid
from datetime import timedelta

import pytest

from api.db.models import DealSignal, Invoice
from tests.conftest import rep_today
from tests.integration.scoring.records import add_activity, add_case, add_contact, add_deal, ago


@pytest.fixture
async def pipeline(db, world):
    today = rep_today()
    acme, a, b = world.acme, world.rep_a.user_id, world.rep_b.user_id
    async with db.sessionmaker() as session:
        d = await add_deal(
            session, acme, a, world.account_a, [("lead", ago(300)), ("proposal", ago(100))], 1_000_000,
            close_date=today + timedelta(days=30),
        )  # fmt: skip
        p1 = await add_deal(
            session, acme, b, world.account_b, [("lead", ago(100))], 200_000, close_date=today + timedelta(days=10)
        )
        p2 = await add_deal(
            session, acme, b, world.account_b, [("lead", ago(60)), ("negotiation", ago(30))], 100_000_000,
            close_date=today + timedelta(days=20),
        )  # fmt: skip
        boss = await add_contact(session, acme, world.account_a, decision_maker=True)
        ids = {"d": d, "p1": p1, "p2": p2, "activities": []}
        for opened in (True, True, True, False):
            ids["activities"].append(
                await add_activity(session, acme, a, world.account_a, d, ago(5), "email", "outbound",
                                   "opened" if opened else None)
            )  # fmt: skip
        ids["meeting"] = await add_activity(
            session, acme, a, world.account_a, d, ago(10), "meeting", "outbound", "attended", contact_id=boss
        )
        ids["inbound"] = await add_activity(session, acme, a, world.account_a, d, ago(20), "call", "inbound")
        await add_activity(session, acme, a, world.account_a, d, ago(60), "call", "outbound")
        await add_activity(session, acme, a, world.account_a, d, ago(200), "visit", "outbound")
        for _ in range(2):
            await add_activity(session, acme, b, world.account_b, p1, ago(40), "call", "outbound")
            await add_activity(session, acme, b, world.account_b, p2, ago(3), "call", "outbound")
            await add_activity(session, acme, b, world.account_b, p2, ago(50), "call", "inbound")
        budget_yes = DealSignal(org_id=acme, opportunity_id=d, kind="budget_confirmed", value=True, recorded_at=ago(10))
        ids["budget_no"] = uuid.uuid4()
        budget_no = DealSignal(
            id=ids["budget_no"], org_id=acme, opportunity_id=d, kind="budget_confirmed", value=False,
            recorded_at=ago(2),
        )  # fmt: skip
        session.add_all([budget_yes, budget_no])
        for due, paid in ((-40, -41), (-30, -20), (-10, None), (20, None)):
            session.add(
                Invoice(org_id=acme, account_id=world.account_a, amount=100, currency="CNY",
                        due_on=today + timedelta(days=due), paid_on=today + timedelta(days=paid) if paid else None)
            )  # fmt: skip
        ids["answered"] = await add_case(
            session, acme, world.account_a, sla_due_at=ago(20), first_response_at=ago(21), status="resolved"
        )
        await add_case(session, acme, world.account_a)
        ids["complaint"] = await add_case(session, acme, world.account_a, kind="complaint", sla_due_at=ago(-5))
        await session.commit()
    return ids


async def _score(client, caller, deal_id) -> dict:
    response = await client.get(f"/api/v1/opportunities/{deal_id}/score", headers=caller.headers)
    assert response.status_code == 200, response.text
    return response.json()


async def test_the_score_and_its_reasons(client, world, pipeline):
    body = await _score(client, world.rep_a, pipeline["d"])
    contributions = {r["key"]: r["contribution"] for r in body["reasons"]}
    assert contributions == {
        "engagement_30d": 8.0,  # 6 / 2 − 1 = 2, clamped to 1: 8 × 1
        "engagement_90d": 3.75,  # 7 / 4 − 1 = 0.75: 5 × 0.75
        "inbound_90d": 0.0,  # 1 / 1 − 1 = 0
        "email_opens": 2.0,  # 4 × (2 × 3/4 − 1)
        "meeting_attendance": 4.0,  # 4 × (2 × 1/1 − 1)
        "budget_confirmed": -8.0,  # the latest signal says no budget
        "decision_maker_involved": 8.0,  # derived: a decision maker attended the meeting
        "payment_punctuality": -1.67,  # 5 × (2 × 1/3 − 1) = −1.667
        "support_responsiveness": 4.0,  # 4 × (2 × 1/1 − 1)
    }
    # 50 + 8 + 3.75 + 0 + 2 + 4 − 8 + 8 − 1.667 + 4 = 70.08
    assert body["score"] == 70
    assert body["unknown"] == []
    # Largest effect first; ties by key.
    assert [r["key"] for r in body["reasons"]][:5] == [
        "budget_confirmed", "decision_maker_involved", "engagement_30d", "meeting_attendance", "support_responsiveness",
    ]  # fmt: skip
    reasons = {r["key"]: r for r in body["reasons"]}
    assert reasons["budget_confirmed"]["records"] == [{"type": "deal_signal", "id": str(pipeline["budget_no"])}]
    assert reasons["decision_maker_involved"]["records"] == [{"type": "activity", "id": str(pipeline["meeting"])}]
    assert reasons["inbound_90d"]["records"] == [{"type": "activity", "id": str(pipeline["inbound"])}]
    assert {r["id"] for r in reasons["email_opens"]["records"]} == {str(i) for i in pipeline["activities"]}
    assert reasons["support_responsiveness"]["records"] == [{"type": "support_case", "id": str(pipeline["answered"])}]
    assert len(reasons["payment_punctuality"]["records"]) == 3
    assert reasons["engagement_30d"]["text"] == {
        "en": "6 interactions in the last 30 days; the typical deal has 2.",
        "zh": "近30天互动6次；典型商机为2次。",
    }
    assert reasons["payment_punctuality"]["group"] == "history"


async def test_the_win_probability_falls_back_to_the_stage_and_a_complaint_halves_the_odds(client, world, pipeline):
    win = (await _score(client, world.rep_a, pipeline["d"]))["win"]
    # No model: proposal's 60 % → log-odds ln 1.5; the open complaint adds ln 0.5 → odds 0.75 → 0.75 / 1.75.
    assert win["basis"] == "stage"
    assert win["base_log_odds"] == round(math.log(1.5), 4)
    assert win["probability"] == round(0.75 / 1.75, 4) == 0.4286
    [complaint] = win["contributions"]
    assert complaint["feature"] == "complaint"
    assert complaint["log_odds"] == round(math.log(0.5), 4)
    assert complaint["records"] == [{"type": "support_case", "id": str(pipeline["complaint"])}]
    # Account B has no complaint: P2 keeps its negotiation 80 %.
    p2 = (await _score(client, world.rep_b, pipeline["p2"]))["win"]
    assert (p2["probability"], p2["contributions"]) == (0.8, [])


async def test_the_value_figures_and_the_low_value_flag(client, world, pipeline):
    value = (await _score(client, world.rep_a, pipeline["d"]))["value"]
    # LTV = 1,000,000 × 60 % × (1 + 0 renewals: no contracts) = 600,000; EV = 0.4286 × 600,000 = 257,160.
    # Cost = 7 activities × 10,000 + 1 visit × 50,000 + 330 days (300 ago → 30 ahead) × 5,000 = 1,770,000.
    assert (value["ltv"], value["expected_value"], value["cost"]) == (600_000, 257_160, 1_770_000)
    assert (value["activities"], value["visits"], value["pipeline_days"]) == (7, 1, 330)
    assert (value["renewals"], value["renewals_basis"]) == (0.0, "none")
    assert value["ratio"] == round(257_160 / 1_770_000, 4)  # 0.1453 < 3
    assert value["low_value"] is True


async def test_a_deal_with_nothing_to_go_on_scores_50(client, world):
    """The outsider's org has one deal and no activity: every input unknown, neither helping nor hurting."""
    create = await client.post(
        "/api/v1/opportunities",
        json={"account_id": str(world.account_outsider), "name": "孤单的商机", "amount": 5000},
        headers=world.outsider.headers,
    )
    assert create.status_code == 201, create.text
    body = await _score(client, world.outsider, create.json()["id"])
    assert body["score"] == 50
    assert body["reasons"] == []
    assert [u["key"] for u in body["unknown"]] == [
        "engagement_30d", "engagement_90d", "inbound_90d", "email_opens", "meeting_attendance", "budget_confirmed",
        "decision_maker_involved", "payment_punctuality", "support_responsiveness",
    ]  # fmt: skip
    assert all(u["contribution"] == 0 for u in body["unknown"])
    assert body["win"]["basis"] == "stage"
    assert body["win"]["probability"] == 0.1  # lead


async def test_a_score_is_visible_exactly_as_its_deal(client, world, pipeline):
    assert (
        await client.get(f"/api/v1/opportunities/{pipeline['d']}/score", headers=world.manager.headers)
    ).status_code == 200
    for caller in (world.rep_b, world.rep_c, world.outsider):
        response = await client.get(f"/api/v1/opportunities/{pipeline['d']}/score", headers=caller.headers)
        assert response.status_code == 404, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
    missing = await client.get(f"/api/v1/opportunities/{uuid.uuid4()}/score", headers=world.admin.headers)
    assert missing.status_code == 404


async def test_the_pipeline_list_sorts_by_score_and_shows_the_pipeline_without_low_value_deals(client, world, pipeline):
    response = await client.get("/api/v1/insights/scores", headers=world.admin.headers)
    assert response.status_code == 200, response.text
    body = response.json()
    # P2: 30 days 2/2 → 0, 90 days 4/4 → 0, inbound 2/1 − 1 = 1 → +4: 54. P1: 30 days 0/2 → −8, 90 days
    # 2/4 − 1 → −2.5, inbound 0/1 → −4: 50 − 14.5 = 35.5 → 36.
    assert [(i["opportunity_id"], i["score"]) for i in body["items"]] == [
        (str(pipeline["d"]), 70), (str(pipeline["p2"]), 54), (str(pipeline["p1"]), 36),
    ]  # fmt: skip
    # P1: EV 0.1 × 120,000 = 12,000 against 2 × 10,000 + 110 days × 5,000 = 570,000: low value.
    # P2: EV 0.8 × 60,000,000 = 48,000,000 against 2 × 10,000 + 2 × 10,000 + 80 days × 5,000 = 440,000: ratio 109.
    low = {i["opportunity_id"]: i["value"]["low_value"] for i in body["items"]}
    assert low == {str(pipeline["d"]): True, str(pipeline["p1"]): True, str(pipeline["p2"]): False}
    p2 = body["items"][1]["value"]
    assert (p2["expected_value"], p2["cost"], p2["ratio"]) == (48_000_000, 440_000, round(48_000_000 / 440_000, 4))
    assert body["summary"] == {
        "currency": "CNY", "count": 3, "amount": 101_200_000, "low_value_count": 2, "low_value_amount": 1_200_000,
        "amount_without_low_value": 100_000_000, "expected_value": 257_160 + 12_000 + 48_000_000, "other_currency": 0,
    }  # fmt: skip


async def test_the_pipeline_list_filters_pages_and_keeps_to_the_callers_reach(client, world, pipeline):
    mine = (await client.get("/api/v1/insights/scores", headers=world.rep_a.headers)).json()
    assert [i["opportunity_id"] for i in mine["items"]] == [str(pipeline["d"])]
    params = {"owner_id": str(world.rep_b.user_id)}
    of_b = (await client.get("/api/v1/insights/scores", params=params, headers=world.manager.headers)).json()
    assert [i["score"] for i in of_b["items"]] == [54, 36]
    low = (
        await client.get("/api/v1/insights/scores", params={"low_value": "true"}, headers=world.admin.headers)
    ).json()
    assert [i["score"] for i in low["items"]] == [70, 36]
    assert low["summary"]["amount"] == 1_200_000
    first = (await client.get("/api/v1/insights/scores", params={"limit": 2}, headers=world.admin.headers)).json()
    assert [i["score"] for i in first["items"]] == [70, 54]
    rest = (
        await client.get(
            "/api/v1/insights/scores", params={"limit": 2, "cursor": first["next_cursor"]}, headers=world.admin.headers
        )
    ).json()
    assert ([i["score"] for i in rest["items"]], rest["next_cursor"]) == ([36], None)
    assert (await client.get("/api/v1/insights/scores", headers=world.rep_c.headers)).json()["items"] == []


@pytest.mark.parametrize("params", [{"cursor": "nonsense"}, {"limit": 0}, {"limit": 500}, {"owner_id": "x"}])
async def test_bad_list_parameters_are_field_errors(client, world, params):
    response = await client.get("/api/v1/insights/scores", params=params, headers=world.admin.headers)
    assert response.status_code in (400, 422), response.text
    assert response.headers["content-type"].startswith("application/problem+json")
