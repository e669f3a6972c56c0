"""Re-planning mid-day: what is done stays where it is, cancelled visits go, the rest is planned from here."""

import itertools

from tests.integration.visits.helpers import PLAN_DAY, metric, plan, plan_body, seconds

LUNCH = {"break": {"earliest": "11:30", "latest": "13:30", "minutes": 45}}


def local(clock: str) -> str:
    return f"{PLAN_DAY}T{clock}:00+08:00"


async def replan(client, caller, plan_id, body, status=200):
    response = await client.post(f"/api/v1/visits/plans/{plan_id}/replan", json=body, headers=caller.headers)
    assert response.status_code == status, response.text
    return response.json()


async def test_replanning_keeps_completed_visits_and_drops_cancelled_ones(client, world):
    stops = [{"lat": 31.2 + i / 50, "lon": 121.4, "service_minutes": 40} for i in range(5)]
    body = plan_body(stops, matrix={"durations_s": metric(6, seed=11)}, **LUNCH)
    first = await plan(client, world.rep_a, body)
    done, cancelled = first["stops"][0], first["stops"][1]
    answer = await replan(
        client,
        world.rep_a,
        first["plan_id"],
        {
            "position": {"lat": 31.2, "lon": 121.4},
            "at": local("10:30"),
            "completed": [done["visit_id"]],
            "cancelled": [cancelled["visit_id"]],
            "time_limit_s": 0.3,
        },
    )
    assert answer["revision"] == 2
    assert answer["stops"][0] == {**done, "status": "done"}
    rest = answer["stops"][1:]
    assert cancelled["visit_id"] not in {s["visit_id"] for s in answer["stops"]}
    assert {s["index"] for s in rest} == {s["index"] for s in first["stops"][2:]}
    assert all(seconds(s["arrive"]) >= seconds("10:30") for s in rest)
    lunch = answer["break"]
    assert seconds("11:30") <= seconds(lunch["start"]) and seconds(lunch["end"]) <= seconds("13:30")
    for a, b in itertools.pairwise(rest):
        assert seconds(a["depart"]) <= seconds(b["arrive"])
    gone = await client.get(f"/api/v1/visits/{cancelled['visit_id']}", headers=world.rep_a.headers)
    assert gone.json()["status"] == "cancelled"
    listed = await client.get(
        "/api/v1/visits", params={"date": PLAN_DAY, "status": "done"}, headers=world.rep_a.headers
    )
    assert [v["id"] for v in listed.json()["items"]] == [done["visit_id"]]


async def test_replanning_from_the_phones_position_after_a_check_in(client, world):
    stops = [
        {"lat": 31.2304, "lon": 121.4737, "name": "A", "service_minutes": 30},
        {"lat": 31.2397, "lon": 121.4998, "name": "B", "service_minutes": 30},
        {"lat": 31.1979, "lon": 121.4364, "name": "C", "window": {"start": "15:00", "end": "16:00"}},
    ]
    first = await plan(client, world.rep_a, plan_body(stops))
    visit = first["stops"][0]
    checked = await client.post(
        f"/api/v1/visits/{visit['visit_id']}/check-in",
        json={"lat": visit["lat"], "lon": visit["lon"], "accuracy_m": 15, "at": local("09:00")},
        headers=world.rep_a.headers,
    )
    assert checked.status_code == 201, checked.text
    answer = await replan(
        client, world.rep_a, first["plan_id"],
        {"position": {"lat": visit["lat"], "lon": visit["lon"]}, "at": local("09:10"), "time_limit_s": 0.3},
    )  # fmt: skip
    assert answer["stops"][0]["visit_id"] == visit["visit_id"]
    assert answer["stops"][0]["status"] == "checked_in"
    # The visit under way ends its service (09:00 + 30 min) before the rest of the day begins.
    assert all(seconds(s["arrive"]) >= seconds("09:30") for s in answer["stops"][1:])
    window_stop = next(s for s in answer["stops"] if s["name"] == "C")
    assert seconds("15:00") <= seconds(window_stop["arrive"]) + window_stop["wait_s"]
    assert answer["solver"]["travel_source"] == "geodesic"


async def test_only_the_owner_replans_and_only_the_current_plan(client, world):
    first = await plan(client, world.rep_a, plan_body([{"lat": 31.22, "lon": 121.45}]))
    body = {"position": {"lat": 31.2, "lon": 121.4}, "at": local("10:00")}
    assert (await replan(client, world.manager, first["plan_id"], body, 403))["status"] == 403
    assert (await replan(client, world.rep_b, first["plan_id"], body, 404))["status"] == 404
    unknown = await replan(client, world.rep_a, first["plan_id"], {**body, "completed": [first["plan_id"]]}, 422)
    assert unknown["errors"][0]["field"] == "completed[0]"
    late = await replan(client, world.rep_a, first["plan_id"], {**body, "at": local("19:00")}, 422)
    assert late["errors"][0]["code"] == "after_shift"
    await plan(client, world.rep_a, plan_body([{"lat": 31.23, "lon": 121.46}]))
    superseded = await replan(client, world.rep_a, first["plan_id"], body, 409)
    assert superseded["type"].endswith("plan-superseded")
