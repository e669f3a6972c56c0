"""GPS check-in against the org's geofence, offline check-ins, the manager's flags, and check-out as evidence."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from api.db.models import Organisation
from tests.integration.opportunities.helpers import create, patch
from tests.integration.visits.helpers import plan, plan_body

CUSTOMER = {"lat": 31.2304, "lon": 121.4737}


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


async def planned_visit(client, caller, account_id=None) -> dict:
    stop = {"account_id": str(account_id)} if account_id else {**CUSTOMER, "name": "Site"}
    answer = await plan(client, caller, plan_body([stop]))
    return answer["stops"][0]


async def check_in(client, caller, visit_id, lat, lon, accuracy_m=10.0, at=None, status=201):
    body = {"lat": lat, "lon": lon, "accuracy_m": accuracy_m, "at": iso(at or datetime.now(UTC))}
    response = await client.post(f"/api/v1/visits/{visit_id}/check-in", json=body, headers=caller.headers)
    assert response.status_code == status, response.text
    return response.json()


async def test_check_in_statuses_follow_the_geofence_and_the_accuracy(client, world):
    visit = await planned_visit(client, world.rep_a)
    now = datetime.now(UTC) - timedelta(hours=3)
    # ~100 m north of the door, a good fix: verified.
    ok = await check_in(client, world.rep_a, visit["visit_id"], 31.2313, 121.4737, 15, now)
    assert ok["status"] == "verified" and 90 < ok["distance_m"] < 110 and ok["radius_m"] == 200
    # ~1.1 km away with a good fix: out of range, whatever the accuracy allows.
    far = await check_in(client, world.rep_a, visit["visit_id"], 31.2404, 121.4737, 30, now + timedelta(minutes=20))
    assert far["status"] == "out_of_range" and far["distance_m"] > 1000
    # 150 m away but ±400 m: it cannot tell.
    vague = await check_in(client, world.rep_a, visit["visit_id"], 31.2317, 121.4737, 400, now + timedelta(minutes=40))
    assert vague["status"] == "low_accuracy"
    # 260 m away ±80 m: the circle reaches into the geofence, so it is believed.
    edge = await check_in(client, world.rep_a, visit["visit_id"], 31.2327, 121.4737, 80, now + timedelta(minutes=60))
    assert edge["status"] == "verified"
    shown = (await client.get(f"/api/v1/visits/{visit['visit_id']}", headers=world.rep_a.headers)).json()
    assert shown["status"] == "checked_in" and shown["check_in_status"] == "verified"


async def test_the_org_geofence_radius_applies(client, world, db):
    async with db.sessionmaker() as session:
        await session.execute(update(Organisation).where(Organisation.id == world.acme).values(geofence_radius_m=50))
        await session.commit()
    visit = await planned_visit(client, world.rep_a)
    answer = await check_in(client, world.rep_a, visit["visit_id"], 31.2313, 121.4737, 10)
    assert answer["status"] == "out_of_range" and answer["radius_m"] == 50


async def test_offline_check_ins_are_accepted_and_impossible_speed_or_future_time_is_flagged(client, world):
    shanghai = await planned_visit(client, world.rep_a)
    hours_ago = datetime.now(UTC) - timedelta(hours=20)
    first = await check_in(client, world.rep_a, shanghai["visit_id"], 31.2304, 121.4737, 10, hours_ago)
    assert first["flags"] == ["offline"]
    # Beijing, 1,070 km away, ten minutes later: nobody drives that fast.
    jump = await check_in(
        client, world.rep_a, shanghai["visit_id"], 39.9042, 116.4074, 10, hours_ago + timedelta(minutes=10)
    )
    assert "impossible_speed" in jump["flags"] and jump["speed_kmh"] > 1000
    assert jump["status"] == "out_of_range"
    # Back at the door ten hours later is a plausible pace again.
    later = await check_in(
        client, world.rep_a, shanghai["visit_id"], 31.2304, 121.4737, 10, hours_ago + timedelta(hours=10)
    )
    assert "impossible_speed" not in later["flags"]
    future = await check_in(
        client, world.rep_a, shanghai["visit_id"], 31.2304, 121.4737, 10, datetime.now(UTC) + timedelta(hours=2)
    )
    assert "future_time" in future["flags"]
    flagged = (
        await client.get("/api/v1/visits/check-ins", params={"flagged": "true"}, headers=world.manager.headers)
    ).json()
    assert {c["id"] for c in flagged["items"]} == {jump["id"], future["id"]}
    assert all(c["owner_id"] == str(world.rep_a.user_id) for c in flagged["items"])
    assert (
        await client.get("/api/v1/visits/check-ins", params={"flagged": "true"}, headers=world.rep_c.headers)
    ).json()["items"] == []
    everything = (await client.get("/api/v1/visits/check-ins", headers=world.rep_a.headers)).json()
    assert len(everything["items"]) == 4


async def test_only_the_rep_checks_in_to_their_own_visit(client, world):
    visit = await planned_visit(client, world.rep_a)
    await check_in(client, world.manager, visit["visit_id"], 31.2304, 121.4737, status=403)
    await check_in(client, world.rep_b, visit["visit_id"], 31.2304, 121.4737, status=404)
    naive = await client.post(
        f"/api/v1/visits/{visit['visit_id']}/check-in",
        json={"lat": 31.2304, "lon": 121.4737, "accuracy_m": 5, "at": "2026-12-01T10:00:00"},
        headers=world.rep_a.headers,
    )
    assert naive.status_code == 422 and naive.json()["errors"][0]["field"] == "at"


async def test_check_out_becomes_a_visit_activity_on_each_open_opportunity(client, world):
    deal_1 = await create(client, world.rep_a, world.account_a, name="扫码枪 200 台")
    deal_2 = await create(client, world.rep_a, world.account_a, name="Handhelds")
    visit = await planned_visit(client, world.rep_a, world.account_a)
    early = await client.post(
        f"/api/v1/visits/{visit['visit_id']}/check-out", json={"outcome": "positive"}, headers=world.rep_a.headers
    )
    assert early.status_code == 409
    arrived = datetime.now(UTC) - timedelta(minutes=40)
    await check_in(client, world.rep_a, visit["visit_id"], 31.23, 121.47, 10, arrived)
    out = await client.post(
        f"/api/v1/visits/{visit['visit_id']}/check-out",
        json={"notes": "演示顺利，客户要求报价 Demo went well, quote requested", "outcome": "positive"},
        headers=world.rep_a.headers,
    )
    assert out.status_code == 200, out.text
    assert out.json()["status"] == "done" and len(out.json()["activity_ids"]) == 2
    activities = (
        await client.get("/api/v1/activities", params={"account_id": str(world.account_a)}, headers=world.rep_a.headers)
    ).json()["items"]
    assert {a["opportunity_id"] for a in activities} == {deal_1["id"], deal_2["id"]}
    assert all(a["kind"] == "visit" and a["direction"] == "inbound" for a in activities)
    assert "quote requested" in activities[0]["summary"]
    again = await client.post(
        f"/api/v1/visits/{visit['visit_id']}/check-out", json={"outcome": "positive"}, headers=world.rep_a.headers
    )
    assert again.status_code == 409
    closed = await check_in(client, world.rep_a, visit["visit_id"], 31.23, 121.47, status=409)
    assert closed["type"].endswith("visit-closed")


async def test_a_no_show_on_an_account_without_deals_is_one_outbound_account_activity(client, world):
    visit = await planned_visit(client, world.rep_a, world.account_a)
    await check_in(client, world.rep_a, visit["visit_id"], 31.23, 121.47, 10, datetime.now(UTC) - timedelta(minutes=5))
    out = await client.post(
        f"/api/v1/visits/{visit['visit_id']}/check-out", json={"outcome": "no_show"}, headers=world.rep_a.headers
    )
    assert len(out.json()["activity_ids"]) == 1
    activities = (await client.get("/api/v1/activities", headers=world.rep_a.headers)).json()["items"]
    assert [(a["opportunity_id"], a["direction"]) for a in activities] == [(None, "outbound")]


async def test_a_checked_out_visit_is_the_evidence_that_lets_a_deal_move_on(client, world):
    deal = await create(client, world.rep_a, world.account_a, stage="qualified")
    refused = await patch(client, world.rep_a, deal, stage="solution")
    assert refused.status_code == 422 and refused.json()["errors"][0]["code"] == "needs_evidence"
    visit = await planned_visit(client, world.rep_a, world.account_a)
    await check_in(client, world.rep_a, visit["visit_id"], 31.23, 121.47, 10, datetime.now(UTC) - timedelta(hours=1))
    out = await client.post(
        f"/api/v1/visits/{visit['visit_id']}/check-out",
        json={"notes": "需求确认，进入方案阶段 Needs confirmed", "outcome": "positive"},
        headers=world.rep_a.headers,
    )
    assert out.status_code == 200, out.text
    moved = await patch(client, world.rep_a, deal, stage="solution")
    assert moved.status_code == 200, moved.text
    listed = await client.get("/api/v1/activities", params={"opportunity_id": deal["id"]}, headers=world.rep_a.headers)
    history = listed.json()["items"]
    assert [(a["kind"], a["direction"]) for a in history] == [("visit", "inbound")]
