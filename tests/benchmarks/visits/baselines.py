"""The baselines measured in the same run: nearest-neighbour tours and routes, and a break inserted after solving."""

from __future__ import annotations

import numpy as np

from api.visits import solver


def nn_tour(matrix: np.ndarray) -> int:
    """The nearest-neighbour tour from node 0: always the closest unvisited node next."""
    n = matrix.shape[0]
    seen = np.zeros(n, dtype=bool)
    seen[0] = True
    here, length = 0, 0
    for _ in range(n - 1):
        row = np.where(seen, np.iinfo(np.int64).max, matrix[here])
        nxt = int(row.argmin())
        length += int(matrix[here, nxt])
        seen[nxt] = True
        here = nxt
    return length + int(matrix[here, 0])


def nn_vrptw(dist: np.ndarray, demand, ready, due, service, capacity: int) -> tuple[int, float]:
    """Time-oriented nearest neighbour (Solomon 1987, distance-only variant): (vehicles, distance)."""
    n = dist.shape[0]
    left = set(range(1, n))
    vehicles, total = 0, 0.0
    while left:
        vehicles += 1
        here, clock, load = 0, 0.0, 0
        while True:
            best, best_d = None, float("inf")
            for j in left:
                arrive = max(clock + dist[here, j], ready[j])
                if load + demand[j] > capacity or arrive > due[j]:
                    continue
                if arrive + service[j] + dist[j, 0] > due[0]:
                    continue
                if dist[here, j] < best_d:
                    best, best_d = j, dist[here, j]
            if best is None:
                break
            clock = max(clock + dist[here, best], ready[best]) + service[best]
            load += demand[best]
            total += dist[here, best]
            here = best
            left.discard(best)
        total += dist[here, 0]
    return vehicles, total


def nn_day(problem: solver.Problem) -> solver.Route | None:
    """A day by nearest neighbour: the closest visit that still fits its window and the shift, no break."""
    shift = problem.shifts[0]
    free = solver.Shift(shift.start_location, shift.end_location, shift.earliest, shift.latest)
    bare = solver.Problem(problem.durations, problem.jobs, [free])
    sequence: list[tuple[int, int]] = []
    left = set(range(len(problem.jobs)))
    route = None
    while left:
        here = problem.jobs[sequence[-1][0]].location if sequence else shift.start_location
        options = sorted(left, key=lambda j: int(problem.durations[here, problem.jobs[j].location]))
        for job in options:
            try:
                route = solver.timeline(bare, 0, [*sequence, (job, 0)], tight=False)
            except solver.InfeasibleSchedule:
                continue
            sequence.append((job, 0))
            left.discard(job)
            break
        else:
            break
    return route


def break_after_solving(problem: solver.Problem, time_limit_s: float) -> tuple[solver.Route | None, int, int]:
    """Solve without the break, then put it into the first gap where every window still holds.

    Returns the route, the visits it keeps, and how many visits had to be given up to make room for lunch.
    """
    shift = problem.shifts[0]
    free = solver.Shift(shift.start_location, shift.end_location, shift.earliest, shift.latest)
    solution = solver.solve_problem(solver.Problem(problem.durations, problem.jobs, [free]), time_limit_s)
    if not solution.routes:
        return None, 0, 0
    sequence = [(s.job, s.window) for s in solution.routes[0].stops]
    given_up = 0
    while True:
        route = with_break(problem, sequence)
        if route is not None:
            return route, len(sequence), given_up
        if not sequence:
            return None, 0, given_up
        # No gap for lunch: give up the least valuable visit whose absence makes room, else the least valuable.
        by_value = sorted(range(len(sequence)), key=lambda k: _value(problem, sequence[k][0]))
        helpful = [k for k in by_value if with_break(problem, sequence[:k] + sequence[k + 1 :]) is not None]
        del sequence[(helpful or by_value)[0]]
        given_up += 1


def _value(problem: solver.Problem, job: int) -> tuple[bool, int]:
    return problem.jobs[job].required, problem.jobs[job].prize


def with_break(problem: solver.Problem, sequence: list[tuple[int, int]]) -> solver.Route | None:
    """The route with lunch at the first place and time where every window still holds, if there is one."""
    start = problem.shifts[0].start_location
    for position in range(len(sequence) + 1):
        here = problem.jobs[sequence[position - 1][0]].location if position else start
        try:
            return solver.timeline(problem, 0, [*sequence[:position], (solver.BREAK, here), *sequence[position:]])
        except solver.InfeasibleSchedule:
            continue
    return None
