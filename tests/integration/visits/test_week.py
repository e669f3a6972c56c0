"""A week plan: one route per day in each day's shift, fixed appointments on their day, repeat visits spread out."""

import itertools
from datetime import UTC, datetime, timedelta

from tests.conftest import rep_today
from tests.integration.visits.helpers import HOME, seconds

MONDAY = rep_today() + timedelta(days=7 - rep_today().weekday())
DAYS = [(MONDAY + timedelta(days=k)).isoformat() for k in range(5)]


async def test_a_week_spreads_visits_over_days_around_fixed_appointments(client, world):
    stops = [{"lat": 31.20 + i / 80, "lon": 121.40 + (i % 4) / 60, "service_minutes": 60} for i in range(12)]
    stops[0] |= {"day": DAYS[2], "window": {"start": "14:00", "end": "15:00"}, "name": "Fixed"}
    stops[1] |= {"visits": 2, "name": "Twice"}
    stops[2] |= {"required": False, "priority": 6}
    body = {
        "days": [{"date": d} for d in DAYS[:4]] + [{"date": DAYS[4], "shift": {"start": "09:00", "end": "12:00"}}],
        "start": HOME,
        "shift": {"start": "08:30", "end": "17:30"},
        "break": {"earliest": "11:30", "latest": "13:30", "minutes": 45},
        "stops": stops,
        "time_limit_s": 1.0,
    }
    response = await client.post("/api/v1/visits/plan-week", json=body, headers=world.rep_a.headers)
    assert response.status_code == 201, response.text
    week = response.json()
    assert [d["date"] for d in week["days"]] == DAYS
    assert week["dropped"] == []
    placed = [(d["date"], s) for d in week["days"] for s in d["stops"]]
    fixed = [day for day, s in placed if s["index"] == 0]
    assert fixed == [DAYS[2]]
    fixed_stop = next(s for _, s in placed if s["index"] == 0)
    assert seconds("14:00") <= seconds(fixed_stop["arrive"]) + fixed_stop["wait_s"]
    assert seconds(fixed_stop["depart"]) <= seconds("15:00")
    twice = sorted(day for day, s in placed if s["index"] == 1)
    assert len(twice) == 2 and twice[0] != twice[1]
    assert {s["index"] for _, s in placed} == set(range(12))
    for day in week["days"]:
        end = "12:00" if day["date"] == DAYS[4] else "17:30"
        assert seconds(day["back"]) <= seconds(end) if day["stops"] else True
        if day["stops"] and day["date"] != DAYS[4]:
            assert seconds("11:30") <= seconds(day["break"]["start"])
            assert seconds(day["break"]["end"]) <= seconds("13:30")
    listed = await client.get("/api/v1/visits", params={"date": DAYS[2]}, headers=world.rep_a.headers)
    assert any(v["name"] == "Fixed" for v in listed.json()["items"])


async def test_a_week_refuses_a_fixed_day_outside_it(client, world):
    body = {"days": [{"date": DAYS[0]}], "start": HOME, "stops": [{"lat": 31.2, "lon": 121.4, "day": DAYS[3]}]}
    response = await client.post("/api/v1/visits/plan-week", json=body, headers=world.rep_a.headers)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "stops[0].day"


async def test_a_week_visits_each_account_as_often_as_it_usually_is(client, world):
    async def account(name: str, lat: float) -> str:
        body = {"name": name, "lat": lat, "lon": 121.45}
        response = await client.post("/api/v1/accounts", json=body, headers=world.rep_a.headers)
        return response.json()["id"]

    often = await account("Every Other Day Co", 31.21)
    once = await account("New Co", 31.22)
    pinned = await account("Asked Once Co", 31.23)  # visited as often as the first, but asked for once
    for account_id, days_ago in itertools.product((often, pinned), (2, 4, 6, 8)):
        body = {
            "account_id": account_id, "kind": "visit", "direction": "outbound", "summary": "拜访 Visit",
            "occurred_at": (datetime.now(UTC) - timedelta(days=days_ago)).isoformat(),
        }  # fmt: skip
        assert (await client.post("/api/v1/activities", json=body, headers=world.rep_a.headers)).status_code == 201
    stops = [{"account_id": often}, {"account_id": once}, {"account_id": pinned, "visits": 1}]
    body = {"days": [{"date": d} for d in DAYS], "start": HOME, "stops": stops, "time_limit_s": 1.0}
    response = await client.post("/api/v1/visits/plan-week", json=body, headers=world.rep_a.headers)
    assert response.status_code == 201, response.text
    week = response.json()
    days_of = {i: [d["date"] for d in week["days"] for s in d["stops"] if s["index"] == i] for i in range(3)}
    # Every two days over Monday to Friday, the last visit two days before: Monday, about Wednesday, Friday.
    assert len(days_of[0]) == 3 and len(set(days_of[0])) == 3
    assert len(days_of[1]) == 1 and len(days_of[2]) == 1
    assert week["dropped"] == []
