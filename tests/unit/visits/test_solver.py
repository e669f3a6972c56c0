"""The routing layer on random days: whatever PyVRP returns, a plan never breaks a window, the break or the shift."""

import random

import numpy as np
import pytest

from api.visits import solver
from api.visits.planning import Day, Lunch, PlanStop, build, read


def _matrix(n: int, rng: random.Random, spread: float = 2400.0) -> np.ndarray:
    points = [(rng.uniform(0, spread), rng.uniform(0, spread)) for _ in range(n)]
    return np.array([[round(np.hypot(a[0] - b[0], a[1] - b[1])) for b in points] for a in points], dtype=np.int64)


def _day(seed: int, n: int = 12) -> tuple[list[PlanStop], np.ndarray]:
    rng = random.Random(seed)
    stops = []
    for i in range(n):
        window = None
        if rng.random() < 0.4:
            start = rng.randrange(9 * 3600, 16 * 3600, 1800)
            window = (start, start + rng.choice((3600, 5400, 7200)))
        stops.append(
            PlanStop(
                index=i, service_s=rng.choice((1200, 1800, 2700)), required=rng.random() < 0.5,
                prize=rng.randint(1, 10) * 600, location=i + 1, window=window,
            )
        )  # fmt: skip
    return stops, _matrix(n + 1, rng)


@pytest.mark.parametrize("seed", range(12))
def test_returned_days_keep_every_window_the_break_and_the_shift(seed):
    stops, durations = _day(seed)
    day = Day(8 * 3600 + 1800, 18 * 3600, Lunch(11 * 3600 + 1800, 13 * 3600 + 1800, 45))
    problem, occurrences, dropped = build(stops, durations, [day], 0, 0)
    solution = solver.solve_problem(problem, 0.3)
    outcome = read(stops, problem, occurrences, solution, dropped)
    for route in solution.routes:
        # timeline() raises on any violation; recomputing the solver's route must give the same answer.
        again = solver.timeline(
            problem, route.shift, [(s.job, s.window if s.job >= 0 else s.location) for s in route.stops]
        )
        assert again.stops == route.stops
        lunch = route.lunch
        assert lunch is not None and 11.5 * 3600 <= lunch.start and lunch.depart <= 13.5 * 3600
    placed = {p.stop.index for r in outcome.routes.values() for p in r.stops}
    left = {s.index for s, _ in outcome.dropped}
    assert placed | left == set(range(len(stops))) and not placed & left


def _feasible_required(seed: int) -> tuple[list[PlanStop], np.ndarray, Day]:
    """Required visits that fit by construction: a known route serves all of them inside their windows."""
    rng = random.Random(seed)
    n = 8
    durations = _matrix(n + 1, rng, spread=1500)
    clock, here, stops = 9 * 3600, 0, []
    order = list(range(1, n + 1))
    rng.shuffle(order)
    for loc in order:
        clock += int(durations[here, loc])
        service = 1800
        stops.append(
            PlanStop(index=loc - 1, service_s=service, required=True, prize=0, location=loc,
                     window=(clock - 900, clock + service + 900))
        )  # fmt: skip
        clock, here = clock + service, loc
    return sorted(stops, key=lambda s: s.index), durations, Day(9 * 3600, clock + int(durations[here, 0]) + 600)


@pytest.mark.parametrize("seed", range(8))
def test_required_visits_are_never_dropped_when_a_feasible_plan_exists(seed):
    stops, durations, day = _feasible_required(seed)
    optional = [PlanStop(index=100 + i, service_s=1800, required=False, prize=6000, location=1 + i) for i in range(3)]
    problem, occurrences, dropped = build(stops + optional, durations, [day], 0, 0)
    outcome = read(stops + optional, problem, occurrences, solver.solve_problem(problem, 0.5), dropped)
    placed = {p.stop.index for r in outcome.routes.values() for p in r.stops}
    assert {s.index for s in stops} <= placed
    # The shift was cut to the known route: the optional extras had to go, and they went first.
    assert {s.index for s, _ in outcome.dropped} == {100, 101, 102}


def test_a_week_uses_one_route_per_day_with_each_days_shift():
    rng = random.Random(5)
    durations = _matrix(9, rng)
    stops = [PlanStop(index=i, service_s=3600, required=True, prize=0, location=i + 1) for i in range(8)]
    stops[0].days = (1,)
    stops[1].visits = 2
    days = [Day(9 * 3600, 17 * 3600), Day(9 * 3600, 17 * 3600), Day(9 * 3600, 15 * 3600)]
    problem, occurrences, dropped = build(stops, durations, days, 0, 0)
    outcome = read(stops, problem, occurrences, solver.solve_problem(problem, 0.5), dropped)
    assert outcome.dropped == []
    where = [(k, p.stop.index) for k, r in outcome.routes.items() for p in r.stops]
    assert (1, 0) in where
    assert len({k for k, i in where if i == 1}) == 2
    for route in outcome.routes.values():
        end = days[route.day].shift_end
        assert all(9 * 3600 <= p.arrive and p.depart <= end for p in route.stops)
        assert route.back <= end


def test_timeline_refuses_a_late_arrival_and_a_late_return():
    durations = np.array([[0, 3600], [3600, 0]], dtype=np.int64)
    job = solver.Job(location=1, service_s=600, windows=((0, 3000),))
    shift = solver.Shift(0, 0, 0, 10_000)
    problem = solver.Problem(durations, [job], [shift])
    with pytest.raises(solver.InfeasibleSchedule):
        solver.timeline(problem, 0, [(0, 0)])
    short = solver.Problem(durations, [solver.Job(location=1, service_s=600)], [solver.Shift(0, 0, 0, 7000)])
    with pytest.raises(solver.InfeasibleSchedule):
        solver.timeline(short, 0, [(0, 0)])


def test_the_rep_leaves_as_late_as_the_first_window_allows():
    durations = np.array([[0, 600, 900], [600, 0, 300], [900, 300, 0]], dtype=np.int64)
    jobs = [solver.Job(1, 600, ((10_000, 12_000),)), solver.Job(2, 600, ((0, 20_000),))]
    problem = solver.Problem(durations, jobs, [solver.Shift(0, 0, 0, 30_000)])
    route = solver.timeline(problem, 0, [(0, 0), (1, 0)])
    assert route.leave == 10_000 - 600 and route.wait_s == 0
    assert [s.start for s in route.stops] == [10_000, 10_900]


def test_an_empty_day_is_no_route():
    problem = solver.Problem(np.zeros((1, 1), dtype=np.int64), [], [solver.Shift(0, 0, 0, 100)])
    assert solver.solve_problem(problem, 0.1).routes == []
