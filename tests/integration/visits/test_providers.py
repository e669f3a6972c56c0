"""Travel times from an OSRM-compatible table service and addresses placed by a Nominatim geocoder, on loopback."""

import itertools

import pytest

from tests.integration.visits.helpers import HOME, plan, plan_body
from tests.integration.visits.standins import manhattan_s, nominatim, osrm_table, serve

STOPS = [{"lat": 31.2397, "lon": 121.4998, "service_minutes": 20}, {"lat": 31.1979, "lon": 121.4364}]


def _point(p):
    return (p["lat"], p["lon"])


async def test_an_osrm_table_service_gives_the_travel_times(client, world, monkeypatch: pytest.MonkeyPatch):
    with serve(osrm_table()) as osrm:
        monkeypatch.setenv("FIELDLOOP_ROUTING_URL", osrm.base)
        answer = await plan(client, world.rep_a, plan_body(STOPS))
    assert answer["solver"]["travel_source"] == "osrm"
    assert osrm.requests[0].startswith("/table/v1/driving/121.473700,31.230400;")
    points = [_point(HOME), *[_point(s) for s in STOPS]]
    legs = [0] + [s["index"] + 1 for s in answer["stops"]] + [0]
    expected = [manhattan_s(points[a], points[b]) for a, b in itertools.pairwise(legs)]
    assert [s["travel_s"] for s in answer["stops"]] == expected[:-1]
    assert answer["total_travel_s"] == sum(expected)


async def test_unroutable_pairs_and_a_dead_service_fall_back_to_the_estimate(client, world, monkeypatch):
    with serve(osrm_table(unroutable=(1, 2))) as osrm:
        monkeypatch.setenv("FIELDLOOP_ROUTING_URL", osrm.base)
        answer = await plan(client, world.rep_a, plan_body(STOPS))
    assert answer["solver"]["travel_source"] == "osrm+geodesic"
    monkeypatch.setenv("FIELDLOOP_ROUTING_URL", "http://127.0.0.1:9")  # nothing listens on the discard port
    answer = await plan(client, world.rep_a, plan_body(STOPS))
    assert answer["solver"]["travel_source"] == "geodesic"
    assert len(answer["stops"]) == 2


async def test_transit_is_not_asked_of_osrm(client, world, monkeypatch):
    with serve(osrm_table()) as osrm:
        monkeypatch.setenv("FIELDLOOP_ROUTING_URL", osrm.base)
        answer = await plan(client, world.rep_a, plan_body(STOPS, mode="transit"))
    assert osrm.requests == []
    assert answer["solver"]["travel_source"] == "geodesic"
    assert "travelmode=transit" in answer["stops"][0]["navigation"]["google"]
    assert "mode=bus" in answer["stops"][0]["navigation"]["amap"]


async def test_accounts_without_coordinates_are_geocoded_once(client, world, monkeypatch):
    address = "上海市浦东新区世纪大道100号"
    created = await client.post(
        "/api/v1/accounts", json={"name": "环球金融中心", "address": address}, headers=world.rep_a.headers
    )
    account_id = created.json()["id"]
    lost = await client.post(
        "/api/v1/accounts", json={"name": "Nowhere Inc", "address": "no such street 1"}, headers=world.rep_a.headers
    )
    stops = [{"account_id": account_id}, {"account_id": lost.json()["id"]}]
    with serve(nominatim({address: (31.2352, 121.5055)})) as geocoder:
        monkeypatch.setenv("FIELDLOOP_GEOCODER", "nominatim")
        monkeypatch.setenv("FIELDLOOP_GEOCODER_DOMAIN", geocoder.base.removeprefix("http://"))
        monkeypatch.setenv("FIELDLOOP_GEOCODER_SCHEME", "http")
        first = await plan(client, world.rep_a, plan_body(stops))
        asked = len(geocoder.requests)
        second = await plan(client, world.rep_a, plan_body(stops))
        assert len(geocoder.requests) == asked == 2, "each address is asked once, found or not"
    for answer in (first, second):
        assert [(s["index"], s["lat"], s["lon"]) for s in answer["stops"]] == [(0, 31.2352, 121.5055)]
        assert [(d["index"], d["reason"]) for d in answer["dropped"]] == [(1, "no_location")]
    listed = await client.get("/api/v1/accounts/" + account_id, headers=world.rep_a.headers)
    assert listed.json()["lat"] is None, "stored accounts stay as their owners wrote them"
