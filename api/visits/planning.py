"""From a rep's request to the solver's problem and back: windows, days, occurrences and why a stop was dropped.

Pure functions on plain data (no database, no HTTP), shared by the day plan, the week plan and re-planning.
Times are seconds on one axis: day ``k`` of a plan covers ``k * 86400`` to ``(k + 1) * 86400``, each value
being seconds since that day's local midnight plus the day's offset.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

import numpy as np

from api.lib.i18n import Text, t
from api.visits import solver

DAY = 86_400
PRIORITY_PRIZE_S = 600  # an optional stop of priority p is worth a detour of p × 10 minutes

REASONS: dict[str, Text] = {
    "window_impossible": t(
        "Its time window cannot be reached within the shift.", "在工作时间内无法按时赶到该客户的时间窗口。"
    ),
    "shift_too_short": t("The shift is too short to fit this visit in.", "工作时间不够，安排不下这次拜访。"),
    "window_conflict": t(
        "Its time window clashes with other required visits or the break.",
        "该时间窗口与其他必访客户或午休时间冲突。",
    ),
    "not_worth_detour": t("Not worth the detour compared with the other visits.", "与其他拜访相比，绕路去这里不划算。"),
    "no_location": t(
        "This customer has no known location; add coordinates or an address.",
        "该客户没有位置信息，请补充坐标或地址。",
    ),
}


@dataclass(frozen=True)
class Lunch:
    earliest: int  # seconds of day: the break starts no earlier
    latest: int  # the break ends no later
    minutes: int


@dataclass(frozen=True)
class Day:
    shift_start: int
    shift_end: int
    lunch: Lunch | None = None


@dataclass
class PlanStop:
    """A stop as the planner sees it: the caller's stops first, then candidates, each with its index."""

    index: int
    service_s: int
    required: bool
    prize: int
    location: int | None = None  # row of the travel matrix; None when the place is unknown
    window: tuple[int, int] | None = None  # seconds of day; the whole visit lies inside
    days: tuple[int, ...] | None = None  # allowed days (None: any)
    visits: int = 1  # how many visits over the plan's days
    account_id: uuid.UUID | None = None
    name: str | None = None
    address: str | None = None
    point: tuple[float, float] | None = None
    candidate: bool = False
    reason: Text | None = None
    priority: int | None = None
    visit_id: uuid.UUID | None = None  # when re-planning an existing visit


@dataclass(frozen=True)
class Occurrence:
    stop: int  # position in the stops list
    number: int  # which of the stop's visits
    days: tuple[int, ...]  # the day of each of the job's windows


@dataclass(frozen=True)
class Placed:
    stop: PlanStop
    day: int
    arrive: int  # seconds of day
    start: int
    depart: int
    travel_s: int
    wait_s: int


@dataclass(frozen=True)
class DayRoute:
    day: int
    stops: list[Placed]
    lunch: tuple[int, int] | None  # seconds of day
    leave: int
    back: int
    travel_s: int
    wait_s: int


@dataclass
class Outcome:
    routes: dict[int, DayRoute]
    dropped: list[tuple[PlanStop, str]]
    runtime_ms: int
    notes: list[str] = field(default_factory=list)


def prize_for_priority(priority: int) -> int:
    return priority * PRIORITY_PRIZE_S


def build(
    stops: list[PlanStop],
    durations: np.ndarray,
    days: list[Day],
    start_location: int,
    end_location: int,
    coordinates: np.ndarray | None = None,
) -> tuple[solver.Problem, list[Occurrence], list[tuple[PlanStop, str]]]:
    """The solver's problem, what each job stands for, and the stops that cannot be planned on any day."""
    shifts = [
        solver.Shift(
            start_location, end_location, k * DAY + day.shift_start, k * DAY + day.shift_end,
            _lunch(k, day.lunch),
        )
        for k, day in enumerate(days)
    ]  # fmt: skip
    jobs: list[solver.Job] = []
    occurrences: list[Occurrence] = []
    dropped: list[tuple[PlanStop, str]] = []
    for position, stop in enumerate(stops):
        if stop.location is None:
            dropped.append((stop, "no_location"))
            continue
        feasible: list[tuple[int, tuple[int, int]]] = []
        reason = "window_impossible" if stop.window else "shift_too_short"
        for k in stop.days if stop.days is not None else range(len(days)):
            if not 0 <= k < len(days):
                continue
            window, why = _day_window(stop, days[k], durations, start_location, end_location)
            if window is None:
                reason = why
                continue
            feasible.append((k, (k * DAY + window[0], k * DAY + window[1])))
        if not feasible:
            dropped.append((stop, reason))
            continue
        for number, block in enumerate(_blocks(feasible, stop.visits)):
            jobs.append(
                solver.Job(
                    location=stop.location, service_s=stop.service_s, windows=tuple(w for _, w in block),
                    required=stop.required, prize=stop.prize,
                )
            )  # fmt: skip
            occurrences.append(Occurrence(position, number, tuple(k for k, _ in block)))
    problem = solver.Problem(durations=durations, jobs=jobs, shifts=shifts, coordinates=coordinates)
    return problem, occurrences, dropped


def planar(points: list[tuple[float, float] | None]) -> np.ndarray:
    """Metres east and north of the first point (an equirectangular projection is plenty for a city)."""
    lat0, lon0 = points[0] if points and points[0] else (0.0, 0.0)
    scale = np.cos(np.radians(lat0))
    return np.array([((p[1] - lon0) * 111_320 * scale, (p[0] - lat0) * 110_540) if p else (0.0, 0.0) for p in points])


def _lunch(k: int, lunch: Lunch | None) -> solver.LunchBreak | None:
    if lunch is None:
        return None
    return solver.LunchBreak(k * DAY + lunch.earliest, k * DAY + lunch.latest - lunch.minutes * 60, lunch.minutes * 60)


def _day_window(stop: PlanStop, day: Day, d: np.ndarray, start: int, end: int) -> tuple[tuple[int, int] | None, str]:
    """The interval in which the visit may start on this day, or None and why it cannot happen that day."""
    assert stop.location is not None
    earliest_arrival = day.shift_start + int(d[start, stop.location])
    latest_start = day.shift_end - stop.service_s - int(d[stop.location, end])
    early, late = earliest_arrival, latest_start
    if stop.window is not None:
        early = max(early, stop.window[0])
        late_by_window = stop.window[1] - stop.service_s
        if max(earliest_arrival, stop.window[0]) > late_by_window or stop.window[0] >= day.shift_end:
            return None, "window_impossible"
        late = min(late, late_by_window)
    if early > late:
        return None, "shift_too_short"
    return (early, late), ""


def _blocks(feasible: list[tuple[int, tuple[int, int]]], visits: int) -> list[list[tuple[int, tuple[int, int]]]]:
    """Split the allowed days into ``visits`` consecutive runs, so that repeated visits are spread out."""
    count = max(1, min(visits, len(feasible)))
    size = len(feasible)
    return [feasible[n * size // count : (n + 1) * size // count] for n in range(count)]


def read(
    stops: list[PlanStop],
    problem: solver.Problem,
    occurrences: list[Occurrence],
    solution: solver.Solution,
    dropped: list[tuple[PlanStop, str]],
) -> Outcome:
    """Day routes in local seconds, and every stop left out with the reason that best explains it."""
    routes: dict[int, DayRoute] = {}
    for route in solution.routes:
        k = route.shift
        placed = [
            Placed(
                stops[occurrences[s.job].stop], occurrences[s.job].days[s.window], s.arrive - k * DAY,
                s.start - k * DAY, s.depart - k * DAY, s.travel_s, s.wait_s,
            )
            for s in route.visits
        ]  # fmt: skip
        lunch = route.lunch
        if not placed:
            continue  # a day with nothing but lunch is a day off the road
        routes[k] = DayRoute(
            k,
            placed,
            (lunch.start - k * DAY, lunch.depart - k * DAY) if lunch else None,
            route.leave - k * DAY,
            route.back - k * DAY,
            route.travel_s,
            route.wait_s,
        )
    visited = {occurrences[s.job].stop for r in solution.routes for s in r.visits}
    left_out = list(dropped)
    seen = {id(s) for s, _ in dropped}
    for job in solution.unvisited:
        stop = stops[occurrences[job].stop]
        if id(stop) in seen or (occurrences[job].stop in visited and stop.visits == 1):
            continue
        seen.add(id(stop))
        left_out.append((stop, _why_unvisited(problem, solution, job, stop)))
    left_out.sort(key=lambda item: item[0].index)
    return Outcome(routes, left_out, solution.runtime_ms, solution.notes)


def _why_unvisited(problem: solver.Problem, solution: solver.Solution, job: int, stop: PlanStop) -> str:
    if not stop.required and any(solver.insertion_fits(problem, r, job) for r in solution.routes):
        return "not_worth_detour"
    return "window_conflict" if stop.window is not None else "shift_too_short"


def clock(seconds: int) -> str:
    """Seconds of day as HH:MM:SS (a route ending after midnight keeps counting hours)."""
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def parse_clock(value: str) -> int:
    parts = [int(p) for p in value.split(":")]
    return parts[0] * 3600 + parts[1] * 60 + (parts[2] if len(parts) > 2 else 0)
