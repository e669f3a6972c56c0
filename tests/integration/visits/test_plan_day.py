"""POST /api/v1/visits/plan as CONTRACT.md describes it: shapes, index semantics, matrix semantics, local times."""

from tests.integration.visits.helpers import PLAN_DAY, check_schedule, metric, plan, plan_body, seconds


async def test_a_plan_with_a_matrix_keeps_every_window_the_break_and_the_shift(client, world):
    stops = [
        {"lat": 31.20 + i / 100, "lon": 121.40 + i / 100, "service_minutes": 30, "required": True} for i in range(6)
    ]
    stops[1]["window"] = {"start": "10:00", "end": "11:00"}
    stops[4]["window"] = {"start": "14:00", "end": "15:30"}
    body = plan_body(
        stops,
        matrix={"durations_s": metric(len(stops) + 1)},
        **{"break": {"earliest": "11:30", "latest": "13:30", "minutes": 45}},
    )
    answer = await plan(client, world.rep_a, body)
    assert sorted(s["index"] for s in answer["stops"]) == list(range(6))
    assert answer["dropped"] == []
    check_schedule(answer, body)
    assert answer["solver"]["name"] == "pyvrp"
    assert answer["solver"]["travel_source"] == "caller"
    assert answer["date"] == PLAN_DAY
    assert answer["total_travel_s"] > 0
    assert all(len(s["arrive"]) == 8 for s in answer["stops"])


async def test_without_a_matrix_accounts_and_points_are_planned_on_geodesic_times(client, world):
    body = plan_body(
        [
            {"account_id": str(world.account_a), "service_minutes": 45, "window": {"start": "10:00", "end": "12:00"}},
            {"lat": 31.2397, "lon": 121.4998, "name": "Lujiazui", "service_minutes": 20, "required": False,
             "priority": 8},
        ],
        end={"lat": 31.1979, "lon": 121.3364},
        **{"break": {"earliest": "11:30", "latest": "13:30", "minutes": 45}},
    )  # fmt: skip
    answer = await plan(client, world.rep_a, body)
    assert answer["solver"]["travel_source"] == "geodesic"
    by_index = {s["index"]: s for s in answer["stops"]}
    assert set(by_index) == {0, 1}
    first = by_index[0]
    assert first["account_id"] == str(world.account_a)
    assert first["name"] == "上海明珠制造"
    assert seconds("10:00") <= seconds(first["arrive"]) + first["wait_s"]
    assert seconds(first["depart"]) <= seconds("12:00")
    # Navigation: Google and Apple take WGS-84 as stored; AMap gets the GCJ-02 point, a few hundred metres off.
    links = first["navigation"]
    assert "destination=31.230000%2C121.470000" in links["google"]
    assert "daddr=31.230000%2C121.470000" in links["apple"]
    assert "uri.amap.com/navigation" in links["amap"]
    assert "121.470000%2C31.230000" not in links["amap"]
    assert "to=121.47" in links["amap"]
    lunch = answer["break"]
    assert seconds("11:30") <= seconds(lunch["start"]) and seconds(lunch["end"]) <= seconds("13:30")
    assert answer["back"] is not None and seconds(answer["back"]) <= seconds("18:00")


async def test_with_end_omitted_the_matrix_has_no_row_for_it(client, world):
    stops = [{"lat": 31.2, "lon": 121.4, "service_minutes": 10}, {"lat": 31.3, "lon": 121.5, "service_minutes": 10}]
    matrix = metric(3, seed=3)
    answer = await plan(client, world.rep_a, plan_body(stops, matrix={"durations_s": matrix}))
    assert answer["total_travel_s"] == matrix[0][1] + matrix[1][2] + matrix[2][0]
    refused = await plan(client, world.rep_a, plan_body(stops, matrix={"durations_s": metric(4)}), 422)
    assert refused["errors"][0]["field"] == "matrix.durations_s"
    assert refused["errors"][0]["code"] == "wrong_size"
    with_end = plan_body(stops, end={"lat": 31.1, "lon": 121.3}, matrix={"durations_s": metric(4, seed=5)})
    check_schedule(await plan(client, world.rep_a, with_end), with_end)


async def test_required_visits_stay_and_optional_ones_go_first_when_the_day_is_too_short(client, world):
    # Each visit takes an hour and legs take 20 minutes: a 5-hour shift holds three visits, not five.
    n = 5
    matrix = [[0 if i == j else 1200 for j in range(n + 1)] for i in range(n + 1)]
    stops = [{"lat": 31.2, "lon": 121.4, "service_minutes": 60, "required": i < 3, "priority": 9} for i in range(n)]
    body = plan_body(stops, shift={"start": "09:00", "end": "14:00"}, matrix={"durations_s": matrix})
    answer = await plan(client, world.rep_a, body)
    assert {s["index"] for s in answer["stops"]} == {0, 1, 2}
    assert {d["index"] for d in answer["dropped"]} == {3, 4}
    assert {d["reason"] for d in answer["dropped"]} == {"shift_too_short"}
    assert answer["dropped"][0]["message"]["zh"]
    check_schedule(answer, body)


async def test_dropped_stops_say_why(client, world):
    matrix = [[0, 600, 600, 7200], [600, 0, 600, 7200], [600, 600, 0, 7200], [7200, 7200, 7200, 0]]
    stops = [
        {"lat": 31.2, "lon": 121.4, "service_minutes": 30, "window": {"start": "07:00", "end": "08:45"}},
        {"lat": 31.2, "lon": 121.4, "service_minutes": 30, "required": False, "priority": 5},
        {"lat": 31.2, "lon": 121.4, "service_minutes": 600},
    ]
    body = plan_body(stops, matrix={"durations_s": matrix})
    answer = await plan(client, world.rep_a, body)
    reasons = {d["index"]: d["reason"] for d in answer["dropped"]}
    assert reasons[0] == "window_impossible"  # it closes before the rep can get there
    assert reasons[2] == "shift_too_short"  # ten hours of service in a nine-and-a-half-hour shift
    assert [s["index"] for s in answer["stops"]] == [1]


async def test_an_optional_stop_not_worth_the_detour_is_dropped_as_such(client, world):
    far = 3 * 3600
    matrix = [[0, 300, far], [300, 0, far], [far, far, 0]]
    stops = [
        {"lat": 31.2, "lon": 121.4, "service_minutes": 30},
        {"lat": 31.9, "lon": 121.9, "service_minutes": 10, "required": False, "priority": 1},
    ]
    answer = await plan(client, world.rep_a, plan_body(stops, matrix={"durations_s": matrix}))
    assert answer["dropped"] == [
        {
            "index": 1,
            "reason": "not_worth_detour",
            "message": {
                "en": "Not worth the detour compared with the other visits.",
                "zh": "与其他拜访相比，绕路去这里不划算。",
            },
            "account_id": None,
            "visit_id": None,
        }
    ]


async def test_bad_requests_name_the_field_and_change_nothing(client, world):
    stop = {"lat": 31.2, "lon": 121.4}
    cases = [
        (plan_body([{**stop, "window": {"start": "11:00", "end": "10:00"}}]), "stops[0].window.end", "before_start"),
        (plan_body([{**stop, "window": {"start": "10:00", "end": "10:10"}}]), "stops[0].window", "shorter_than_visit"),
        (plan_body([stop], shift={"start": "18:00", "end": "08:00"}), "shift.end", "before_start"),
        (plan_body([stop], **{"break": {"earliest": "07:00", "latest": "08:00", "minutes": 30}}), "break",
         "break_outside_shift"),
        (plan_body([stop], candidates="auto", matrix={"durations_s": metric(2)}), "candidates", "not_with_matrix"),
        (plan_body([{"account_id": str(world.account_b)}]), "stops[0].account_id", "unknown"),
        (plan_body([{"account_id": str(world.account_outsider)}]), "stops[0].account_id", "unknown"),
        (plan_body([{"service_minutes": 10}]), "stops[0]", "no_location"),
        (plan_body([{"lat": 31.2}]), "stops[0].lon", "location_incomplete"),
    ]  # fmt: skip
    for body, field, code in cases:
        problem = await plan(client, world.rep_a, body, 422)
        assert {"field": field, "code": code} in [{"field": e["field"], "code": e["code"]} for e in problem["errors"]]
    zh = await client.post(
        "/api/v1/visits/plan", json=cases[0][0], headers={**world.rep_a.headers, "Accept-Language": "zh-CN"}
    )
    assert zh.json()["errors"][0]["message"] == "结束时间必须晚于开始时间。"
    listed = await client.get("/api/v1/visits", params={"date": PLAN_DAY}, headers=world.rep_a.headers)
    assert listed.json()["items"] == []


async def test_plans_are_saved_as_visits_that_the_team_can_read(client, world):
    body = plan_body([{"account_id": str(world.account_a)}, {"lat": 31.22, "lon": 121.45, "name": "Site"}])
    answer = await plan(client, world.rep_a, body)
    mine = (await client.get("/api/v1/visits", params={"date": PLAN_DAY}, headers=world.rep_a.headers)).json()
    assert [v["id"] for v in mine["items"]] == [s["visit_id"] for s in answer["stops"]]
    assert all(v["status"] == "planned" and v["navigation"]["amap"] for v in mine["items"])
    team = (await client.get("/api/v1/visits", params={"date": PLAN_DAY}, headers=world.manager.headers)).json()
    assert len(team["items"]) == 2
    west = (await client.get("/api/v1/visits", params={"date": PLAN_DAY}, headers=world.rep_c.headers)).json()
    assert west["items"] == []
    saved = await client.get(f"/api/v1/visits/plans/{answer['plan_id']}", headers=world.manager.headers)
    assert saved.status_code == 200
    assert saved.json()["stops"] == answer["stops"]
    assert saved.headers["etag"] == f'"{answer["version"]}"'
    for outsider in (world.rep_b, world.outsider):
        hidden = await client.get(f"/api/v1/visits/plans/{answer['plan_id']}", headers=outsider.headers)
        assert hidden.status_code == 404
    one = await client.get(f"/api/v1/visits/{answer['stops'][0]['visit_id']}", headers=world.rep_a.headers)
    assert one.status_code == 200 and one.headers["etag"] == '"1"'


async def test_planning_the_day_again_replaces_the_untouched_visits(client, world):
    first = await plan(client, world.rep_a, plan_body([{"account_id": str(world.account_a)}]))
    second = await plan(client, world.rep_a, plan_body([{"lat": 31.22, "lon": 121.45}]))
    items = (await client.get("/api/v1/visits", params={"date": PLAN_DAY}, headers=world.rep_a.headers)).json()
    assert [v["id"] for v in items["items"]] == [second["stops"][0]["visit_id"]]
    old = (await client.get(f"/api/v1/visits/plans/{first['plan_id']}", headers=world.rep_a.headers)).json()
    assert old["stops"] == []


async def test_the_same_idempotency_key_gives_the_same_plan(client, world):
    body = plan_body([{"lat": 31.22, "lon": 121.45}])
    first = await plan(client, world.rep_a, body, **{"Idempotency-Key": "plan-1"})
    again = await plan(client, world.rep_a, body, **{"Idempotency-Key": "plan-1"})
    assert again["plan_id"] == first["plan_id"]
