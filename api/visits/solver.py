"""The routing layer: a day (or a week) of visits as a PyVRP problem, solved under a time limit, then checked.

Everything here is in whole seconds on one time axis (a day plan: seconds since local midnight; a week plan:
seconds since the first day's midnight) and in locations that index the travel matrix. Nothing here knows
about accounts or HTTP, so the benchmarks drive exactly the code the planner uses.

The lunch break is modelled, not patched in afterwards: PyVRP has no break primitive, so each shift gets one
required, mutually exclusive group of "break" pseudo-clients, one co-located with every place the rep can be
(start, end and each visit). Taking the break "at" a visit's location costs no travel, so the route's travel
stays the real travel, and the solver itself places the break inside its window while it orders the visits.
``tests/benchmarks/bench_visits.py`` measures this against inserting the break after solving.

A returned plan is never trusted blindly: ``timeline`` recomputes arrival, wait and departure from the matrix
and ``Solution.routes`` only ever holds timelines that keep every window and the shift.
"""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from pyvrp import Client, ClientGroup, Depot, Location, ProblemData, VehicleType, solve
from pyvrp.stop import MaxRuntime, MultipleCriteria, NoImprovement

# No plan spans more than a few weeks, so this is "no limit" while staying far from integer overflow.
HORIZON = 60 * 86_400
# Required visits are first given to PyVRP as required: its penalties steer the search to a plan that keeps
# them all. Only when no such plan turns up (the visits cannot all fit) is the problem solved again with them
# optional at this prize: more than any travel a day can save, yet small enough against PyVRP's time-warp
# penalties that the search prefers leaving one out over arriving late, so the plan it returns holds.
REQUIRED_PRIZE = 1_000_000
FIRST_PASS_SHARE = 0.6  # of the time limit, when the first pass finds no plan that keeps every required visit
BREAK = -1  # the job index of a lunch break in a route


@dataclass(frozen=True)
class Job:
    """One visit to make. ``windows`` are alternative intervals for the start of service (one per day)."""

    location: int
    service_s: int = 0
    windows: tuple[tuple[int, int], ...] = ((0, HORIZON),)
    required: bool = True
    prize: int = 0
    demand: int = 0


@dataclass(frozen=True)
class LunchBreak:
    earliest: int  # earliest start
    latest: int  # latest start
    duration_s: int


@dataclass(frozen=True)
class Shift:
    """A vehicle (a rep on one day): where it starts and ends, and when it may work."""

    start_location: int
    end_location: int
    earliest: int
    latest: int
    lunch: LunchBreak | None = None
    count: int = 1
    capacity: int | None = None
    fixed_cost: int = 0


@dataclass(frozen=True)
class Problem:
    durations: np.ndarray  # travel seconds between locations
    jobs: Sequence[Job]
    shifts: Sequence[Shift]
    costs: np.ndarray | None = None  # what the solver minimises; the durations when not given
    # Planar coordinates of the locations (metres, or the instance's units), when known: PyVRP's SWAP*
    # operator compares routes by their polar sectors around the depot.
    coordinates: np.ndarray | None = None


@dataclass(frozen=True)
class Stop:
    job: int  # index into Problem.jobs, or BREAK
    window: int  # which of the job's windows was used
    location: int
    arrive: int
    start: int
    depart: int
    travel_s: int
    wait_s: int


@dataclass(frozen=True)
class Route:
    shift: int
    stops: tuple[Stop, ...]
    leave: int  # when the rep leaves the start
    back: int  # when the rep reaches the end
    travel_s: int  # including the last leg to the end
    wait_s: int
    cost: int

    @property
    def visits(self) -> tuple[Stop, ...]:
        return tuple(s for s in self.stops if s.job != BREAK)

    @property
    def lunch(self) -> Stop | None:
        return next((s for s in self.stops if s.job == BREAK), None)


@dataclass
class Solution:
    routes: list[Route]
    unvisited: list[int]
    runtime_ms: int
    iterations: int = 0
    cost: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def distance(self) -> int:
        return sum(r.cost for r in self.routes)


class InfeasibleSchedule(ValueError):
    """A route that would break a window or the shift; ``position`` is where in the sequence it breaks."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(message)
        self.position = position


def timeline(problem: Problem, shift_index: int, sequence: Sequence[tuple[int, int]], *, tight: bool = True) -> Route:
    """Arrival, wait and departure for a sequence of (job, window) in a shift, computed from the matrix alone.

    Raises InfeasibleSchedule when a window, the break or the shift would be broken. With ``tight`` the rep
    leaves as late as possible without arriving anywhere later, so waiting happens at home, not on the road.
    """
    shift = problem.shifts[shift_index]
    d = problem.durations
    costs = problem.costs if problem.costs is not None else d
    bounds = [_bounds(problem, shift, job, window) for job, window in sequence]
    leave = shift.earliest
    if tight and sequence:
        leave = shift.earliest + _forward_slack(d, shift, bounds)
    stops: list[Stop] = []
    clock, here, travel_total, wait_total, cost = leave, shift.start_location, 0, 0, 0
    for position, ((job, window), (loc, early, late, service)) in enumerate(zip(sequence, bounds, strict=True)):
        travel = int(d[here, loc])
        arrive = clock + travel
        start = max(arrive, early)
        if start > late:
            raise InfeasibleSchedule(f"job {job} starts at {start}, after its window closes at {late}", position)
        stops.append(Stop(job, window, loc, arrive, start, start + service, travel, start - arrive))
        cost += int(costs[here, loc])
        travel_total += travel
        wait_total += start - arrive
        clock, here = start + service, loc
    last_leg = int(d[here, shift.end_location])
    back = clock + last_leg
    if back > shift.latest:
        raise InfeasibleSchedule(f"the route ends at {back}, after the shift ends at {shift.latest}", len(stops) - 1)
    if shift.lunch is not None and sequence and not any(job == BREAK for job, _ in sequence):
        raise InfeasibleSchedule("the route has no lunch break", len(stops) - 1)
    cost += int(costs[here, shift.end_location])
    return Route(shift_index, tuple(stops), leave, back, travel_total + last_leg, wait_total, cost)


def _bounds(problem: Problem, shift: Shift, job: int, window: int) -> tuple[int, int, int, int]:
    """(location, earliest start, latest start, service) of one entry of a route."""
    if job == BREAK:
        assert shift.lunch is not None
        return window, shift.lunch.earliest, shift.lunch.latest, shift.lunch.duration_s
    spec = problem.jobs[job]
    early, late = spec.windows[window]
    return spec.location, early, late, spec.service_s


def _forward_slack(d: np.ndarray, shift: Shift, bounds: list[tuple[int, int, int, int]]) -> int:
    """How much later than the shift start the rep can leave without arriving anywhere later than needed."""
    clock, here, waited, slack = shift.earliest, shift.start_location, 0, HORIZON
    for loc, early, late, service in bounds:
        arrive = clock + int(d[here, loc])
        start = max(arrive, early)
        waited += start - arrive
        slack = min(slack, waited + max(0, late - start))
        clock, here = start + service, loc
    return max(0, min(slack, waited))


def solve_problem(problem: Problem, time_limit_s: float, *, seed: int = 0, patience: int | None = None) -> Solution:
    """Solve with PyVRP within the time limit (and earlier once it stops improving); its best plan, checked.

    The whole solve, both passes included, stays within ``time_limit_s``: the first pass gives up looking for a
    plan that keeps every required visit after ``FIRST_PASS_SHARE`` of it, leaving the rest to the second.
    """
    started = time.perf_counter()
    if not problem.jobs and all(s.lunch is None for s in problem.shifts):
        return Solution([], [], 0)
    if patience is None:
        patience = max(500, 50 * len(problem.jobs))
    data, owners = _problem_data(problem, required_as_prize=False)
    give_up = _NoPlanYet(max(300, 20 * len(problem.jobs)), started + time_limit_s * FIRST_PASS_SHARE)
    best, iterations = _run(data, time_limit_s, seed, patience, give_up)
    if not best.is_feasible() and any(j.required for j in problem.jobs):
        # Not every required visit fits: let the solver choose which to leave out, with the time that is left.
        remaining = time_limit_s - (time.perf_counter() - started)
        data, owners = _problem_data(problem, required_as_prize=True)
        best, more = _run(data, remaining, seed, patience)
        iterations += more
    solution = _read(problem, best, owners)
    solution.runtime_ms = round((time.perf_counter() - started) * 1000)
    solution.iterations = iterations
    return solution


class _NoPlanYet:
    """Stops a search that has found no feasible plan after so many iterations, or by a deadline."""

    def __init__(self, iterations: int, deadline: float) -> None:
        self.left = iterations
        self.deadline = deadline

    def __call__(self, best_cost: float) -> bool:
        self.left -= 1
        if not math.isinf(best_cost):
            return False
        return self.left < 0 or time.perf_counter() >= self.deadline


def _run(
    data: ProblemData, seconds: float, seed: int, patience: int, give_up: _NoPlanYet | None = None
) -> tuple[object, int]:
    criteria: list[object] = [MaxRuntime(max(0.01, seconds))]
    if patience > 0:
        criteria.append(NoImprovement(patience))
    if give_up is not None:
        # Far from wasted: when the required visits cannot all fit, the second pass needs the time.
        criteria.append(give_up)
    stop = MultipleCriteria(criteria) if len(criteria) > 1 else criteria[0]  # type: ignore[arg-type]
    with warnings.catch_warnings():
        # PyVRP warns when it struggles to find a feasible plan; the caller decides what to do then.
        warnings.simplefilter("ignore")
        result = solve(data, stop=stop, seed=seed, collect_stats=False, display=False)
    return result.best, result.num_iterations


def _problem_data(problem: Problem, *, required_as_prize: bool) -> tuple[ProblemData, list[tuple[int, int]]]:
    """PyVRP's data, and for each PyVRP client the (job, window) or (BREAK, location) it stands for."""
    size = problem.durations.shape[0]
    durations = np.asarray(problem.durations, dtype=np.int64).copy()
    costs = np.asarray(problem.costs if problem.costs is not None else durations, dtype=np.int64).copy()
    np.fill_diagonal(durations, 0)
    np.fill_diagonal(costs, 0)
    xy = problem.coordinates if problem.coordinates is not None else np.zeros((size, 2))
    locations = [Location(x=float(xy[i][0]), y=float(xy[i][1])) for i in range(size)]
    depot_of: dict[int, int] = {}
    depots: list[Depot] = []
    for shift in problem.shifts:
        for loc in (shift.start_location, shift.end_location):
            if loc not in depot_of:
                depot_of[loc] = len(depots)
                depots.append(Depot(location=loc))
    with_load = any(j.demand for j in problem.jobs) or any(s.capacity is not None for s in problem.shifts)
    clients: list[Client] = []
    groups: list[ClientGroup] = []
    owners: list[tuple[int, int]] = []

    def add(owner: tuple[int, int], client: Client, group: ClientGroup | None) -> None:
        if group is not None:
            group.add_client(len(clients))
        owners.append(owner)
        clients.append(client)

    for index, job in enumerate(problem.jobs):
        must = job.required and not required_as_prize
        prize = REQUIRED_PRIZE if job.required and required_as_prize else job.prize
        group = None
        if len(job.windows) > 1:
            group = ClientGroup(required=must)
            groups.append(group)
        load = {"delivery": [job.demand]} if with_load else {}
        for w, (early, late) in enumerate(job.windows):
            client = Client(
                location=job.location, service_duration=job.service_s, prize=prize, required=must and group is None,
                group=len(groups) - 1 if group is not None else None, **load, **_window(early, late),
            )  # fmt: skip
            add((index, w), client, group)
    for shift in problem.shifts:
        if shift.lunch is None:
            continue
        group = ClientGroup(required=True)
        groups.append(group)
        places = {shift.start_location, shift.end_location, *(j.location for j in problem.jobs)}
        for loc in sorted(places):
            client = Client(
                location=loc, service_duration=shift.lunch.duration_s, tw_early=shift.lunch.earliest,
                tw_late=shift.lunch.latest, required=False, group=len(groups) - 1,
                **({"delivery": [0]} if with_load else {}),
            )  # fmt: skip
            add((BREAK, loc), client, group)
    vehicle_types = [
        VehicleType(
            num_available=s.count, start_depot=depot_of[s.start_location], end_depot=depot_of[s.end_location],
            fixed_cost=s.fixed_cost, **_window(s.earliest, s.latest),
            **({"capacity": [s.capacity if s.capacity is not None else 10**9]} if with_load else {}),
        )
        for s in problem.shifts
    ]  # fmt: skip
    data = ProblemData(locations, clients, depots, vehicle_types, [costs], [durations], groups)
    return data, owners


def _window(early: int, late: int) -> dict[str, int]:
    """Time-window arguments, left out when unbounded: PyVRP skips its time bookkeeping without any windows,
    which makes a plain tour (the TSPLIB benchmark) an order of magnitude faster."""
    window = {}
    if early > 0:
        window["tw_early"] = early
    if late < HORIZON:
        window["tw_late"] = late
    return window


def _read(problem: Problem, best: object, owners: list[tuple[int, int]]) -> Solution:
    """Turn PyVRP's routes into checked timelines; a job on a route that fails the check is left unvisited."""
    routes: list[Route] = []
    visited: set[int] = set()
    notes: list[str] = []
    for route in best.routes():  # type: ignore[attr-defined]
        sequence = [owners[a.idx] for a in route if a.is_client()]
        shift_index = route.vehicle_type()  # one vehicle type per shift, in order
        checked = _checked(problem, shift_index, sequence, notes)
        if checked is None:
            continue
        routes.append(checked)
        visited.update(s.job for s in checked.visits)
    unvisited = [i for i in range(len(problem.jobs)) if i not in visited]
    return Solution(routes, unvisited, 0, cost=sum(r.cost for r in routes), notes=notes)


def _checked(problem: Problem, shift_index: int, sequence: list[tuple[int, int]], notes: list[str]) -> Route | None:
    """The route's timeline; should the solver's route not hold, drop optional visits, then any, until it does."""
    sequence = list(sequence)
    while True:
        try:
            return timeline(problem, shift_index, sequence)
        except InfeasibleSchedule as exc:
            # Only reached if the solver's own schedule disagrees with ours: drop the visit where it breaks.
            notes.append(str(exc))
            jobs = [k for k, (job, _) in enumerate(sequence) if job != BREAK]
            if not jobs:
                return None
            at_or_before = [k for k in jobs if k <= exc.position] or jobs
            del sequence[at_or_before[-1]]


def insertion_fits(problem: Problem, route: Route, job: int) -> bool:
    """Whether the job could join this route somewhere, in one of its windows, keeping every constraint."""
    base = [(s.job, s.window if s.job != BREAK else s.location) for s in route.stops]
    for window in range(len(problem.jobs[job].windows)):
        for position in range(len(base) + 1):
            try:
                timeline(problem, route.shift, [*base[:position], (job, window), *base[position:]], tight=False)
                return True
            except InfeasibleSchedule:
                continue
    return False
