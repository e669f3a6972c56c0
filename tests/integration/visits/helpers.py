"""Builders and checks shared by the visit tests."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from tests.conftest import rep_today

PLAN_DAY = (rep_today() + timedelta(days=3)).isoformat()
HOME = {"lat": 31.2304, "lon": 121.4737}  # People's Square, Shanghai


def seconds(clock: str) -> int:
    parts = [int(p) for p in clock.split(":")]
    return parts[0] * 3600 + parts[1] * 60 + (parts[2] if len(parts) > 2 else 0)


def plan_body(stops: list[dict[str, Any]], **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "date": PLAN_DAY,
        "start": HOME,
        "shift": {"start": "08:30", "end": "18:00"},
        "mode": "drive",
        "stops": stops,
        "time_limit_s": 0.3,
    }
    body.update(fields)
    return body


def metric(n: int, seed: int = 7, spread: float = 2400.0) -> list[list[int]]:
    """Travel seconds between n random points of a plane: symmetric, zero diagonal, triangle inequality."""
    import math
    import random

    rng = random.Random(seed)
    points = [(rng.uniform(0, spread), rng.uniform(0, spread)) for _ in range(n)]
    return [[round(math.dist(a, b)) for b in points] for a in points]


async def plan(client, caller, body: dict[str, Any], status: int = 201, **headers: str) -> dict[str, Any]:
    response = await client.post("/api/v1/visits/plan", json=body, headers={**caller.headers, **headers})
    assert response.status_code == status, response.text
    return response.json()


def check_schedule(answer: dict[str, Any], body: dict[str, Any]) -> None:
    """Re-derive the plan from the request's matrix: travel, windows, break and shift all hold."""
    matrix = body["matrix"]["durations_s"]
    stops = body["stops"]
    end_row = len(stops) + 1 if body.get("end") else 0
    shift_start, shift_end = seconds(body["shift"]["start"]), seconds(body["shift"]["end"])
    lunch = answer.get("break")
    lunch_span = (seconds(lunch["start"]), seconds(lunch["end"])) if lunch else None

    def pause(after: int, before: int) -> int:
        """Break seconds taken between two moments (rounding may break the triangle inequality by a second)."""
        if lunch_span and after <= lunch_span[0] and lunch_span[1] <= before:
            return lunch_span[1] - lunch_span[0] - 2
        return -2

    here, clock = 0, shift_start
    busy: list[tuple[int, int]] = []
    for stop in answer["stops"]:
        spec = stops[stop["index"]]
        row = stop["index"] + 1
        arrive, depart = seconds(stop["arrive"]), seconds(stop["depart"])
        assert arrive >= clock + matrix[here][row] + pause(clock, arrive), (stop, clock)
        start = arrive + stop["wait_s"]
        assert depart == start + spec.get("service_minutes", 30) * 60
        if spec.get("window"):
            assert seconds(spec["window"]["start"]) <= start, stop
            assert depart <= seconds(spec["window"]["end"]), stop
        busy.append((start, depart))
        here, clock = row, depart
    assert clock + matrix[here][end_row] + pause(clock, shift_end) <= shift_end
    if body.get("break") and answer["stops"]:
        assert lunch_span is not None
        assert seconds(body["break"]["earliest"]) <= lunch_span[0]
        assert lunch_span[1] <= seconds(body["break"]["latest"])
        assert lunch_span[1] - lunch_span[0] == body["break"]["minutes"] * 60
        assert all(lunch_span[1] <= a or b <= lunch_span[0] for a, b in busy), "the break overlaps a visit"


def new_id() -> str:
    return str(uuid.uuid4())
