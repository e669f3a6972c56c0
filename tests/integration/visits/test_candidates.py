"""'Plan my day' picks the rep's own accounts worth a visit, ranked from the pipeline, each with its reason."""

import uuid
from datetime import UTC, datetime, timedelta

from api.db.models import ChurnWarning
from tests.conftest import rep_today
from tests.integration.opportunities.helpers import create
from tests.integration.visits.helpers import plan, plan_body


async def account(client, caller, name, lat=31.235, lon=121.48) -> str:
    response = await client.post(
        "/api/v1/accounts", json={"name": name, "lat": lat, "lon": lon}, headers=caller.headers
    )
    assert response.status_code == 201, response.text
    return response.json()["id"]


async def visited(client, caller, account_id, days_ago) -> None:
    body = {
        "account_id": account_id, "kind": "visit", "direction": "outbound", "summary": "拜访 Visit",
        "occurred_at": (datetime.now(UTC) - timedelta(days=days_ago)).isoformat(),
    }  # fmt: skip
    assert (await client.post("/api/v1/activities", json=body, headers=caller.headers)).status_code == 201


async def seed(client, world) -> dict[str, str]:
    today = rep_today()
    hot = await account(client, world.rep_a, "热门客户 Hot Co")
    await create(
        client, world.rep_a, hot, stage="qualified", amount=5_000_000_00, close_date=today.isoformat(),
        promised_date=(today + timedelta(days=1)).isoformat(), competitors=["Honeywell"],
    )  # fmt: skip
    lapsed = await account(client, world.rep_a, "Lapsed Ltd", 31.24, 121.49)
    await visited(client, world.rep_a, lapsed, 90)
    await visited(client, world.rep_a, lapsed, 60)
    cold = await account(client, world.rep_a, "Cold Corp", 31.22, 121.46)
    await visited(client, world.rep_a, cold, 2)
    theirs = await account(client, world.rep_b, "Somebody Else's")
    return {"hot": hot, "lapsed": lapsed, "cold": cold, "theirs": theirs}


async def test_candidates_are_ranked_from_the_pipeline_with_reasons(client, world):
    ids = await seed(client, world)
    response = await client.get(
        "/api/v1/visits/candidates", params={"date": rep_today().isoformat()}, headers=world.rep_a.headers
    )
    ranked = response.json()
    assert [c["account_id"] for c in ranked] == [ids["hot"], ids["lapsed"], str(world.account_a)]
    hot = ranked[0]
    assert {"promised_date", "pipeline_value", "closes_this_month", "never_visited"} <= set(hot["factors"])
    assert "feedback promised by" in hot["reason"]["en"] and "客户承诺" in hot["reason"]["zh"]
    assert hot["score"] > ranked[1]["score"] > ranked[2]["score"] > 0
    assert hot["prize_s"] == round(hot["score"] * 60)
    assert "usually every 30" in ranked[1]["reason"]["en"]
    assert ranked[1]["factors"] == ["overdue"]
    assert ranked[2]["reason"]["zh"] == "从未拜访"


async def test_auto_candidates_become_optional_stops_after_the_requested_ones(client, world):
    ids = await seed(client, world)
    body = plan_body(
        [{"lat": 31.2304, "lon": 121.4737, "name": "Office visit", "service_minutes": 30}],
        date=rep_today().isoformat(),
        candidates="auto",
    )
    answer = await plan(client, world.rep_a, body)
    by_index = {s["index"]: s for s in answer["stops"]}
    assert by_index[0]["candidate"] is False
    assert [by_index[i]["account_id"] for i in (1, 2, 3)] == [ids["hot"], ids["lapsed"], str(world.account_a)]
    assert all(by_index[i]["candidate"] and by_index[i]["reason"]["zh"] for i in (1, 2, 3))
    assert ids["cold"] not in {s["account_id"] for s in answer["stops"]}
    assert ids["theirs"] not in {s["account_id"] for s in answer["stops"]}


async def test_candidates_too_far_for_their_worth_are_left_out(client, world):
    far = await account(client, world.rep_a, "Far Away Co", 34.26, 108.94)  # Xi'an
    body = plan_body([{"lat": 31.2304, "lon": 121.4737}], date=rep_today().isoformat(), candidates="auto")
    answer = await plan(client, world.rep_a, body)
    assert far not in {s["account_id"] for s in answer["stops"]}
    assert {d["account_id"]: d["reason"] for d in answer["dropped"]}[far] in ("not_worth_detour", "shift_too_short")


async def test_a_known_churn_risk_raises_a_customer_and_says_so(client, world, db):
    quiet = await account(client, world.rep_a, "Quiet Customer", 31.24, 121.49)
    await visited(client, world.rep_a, quiet, 10)
    await visited(client, world.rep_a, quiet, 40)  # usually every 30 days, last seen 10 days ago: not due
    day = {"date": rep_today().isoformat()}
    before = (await client.get("/api/v1/visits/candidates", params=day, headers=world.rep_a.headers)).json()
    assert quiet not in {c["account_id"] for c in before}
    async with db.sessionmaker() as session:
        session.add(
            ChurnWarning(
                id=uuid.uuid4(), org_id=world.acme, account_id=uuid.UUID(quiet), recipient_id=world.rep_a.user_id,
                level="high", score=72, sent_on=rep_today(), sent_at=datetime.now(UTC) - timedelta(days=3),
            )
        )  # fmt: skip
        await session.commit()
    after = (await client.get("/api/v1/visits/candidates", params=day, headers=world.rep_a.headers)).json()
    warned = next(c for c in after if c["account_id"] == quiet)
    assert warned["factors"] == ["churn_risk"] and warned["score"] == 20
    assert warned["reason"] == {"en": "churn risk high", "zh": "流失风险高"}
    order = [c["account_id"] for c in after]
    assert order.index(quiet) < order.index(str(world.account_a))  # above an account never visited (15 points)
