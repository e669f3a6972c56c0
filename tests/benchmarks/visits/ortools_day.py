"""The same day solved by OR-Tools with its native break intervals, to choose the break model by measurement.

OR-Tools is only a benchmark dependency (``pip install -e '.[bench]'``). The day is the solver layer's own
``solver.Problem`` (one shift, one window per visit), so both solvers see exactly the same visits and times.
OR-Tools may take its break while travelling or waiting; the result is re-checked by our own timeline with the
break at a place (``baselines.with_break``), which is what the product shows a rep.
"""

from __future__ import annotations

from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from api.visits import solver

REQUIRED_PENALTY = solver.REQUIRED_PRIZE  # as the product's second pass: leaving a required visit out is a last resort


def solve_day(problem: solver.Problem, time_limit_s: float) -> list[tuple[int, int]]:
    """The visiting order OR-Tools finds within the time limit, as (job, window) pairs."""
    shift = problem.shifts[0]
    d = problem.durations
    # Node 0 is the start, then one node per job, then the end when it is another place.
    places = [shift.start_location, *(job.location for job in problem.jobs)]
    end_node = 0 if shift.end_location == shift.start_location else len(places)
    if end_node:
        places.append(shift.end_location)
    service = [0, *(job.service_s for job in problem.jobs)] + ([0] if end_node else [])
    manager = pywrapcp.RoutingIndexManager(len(places), 1, [0], [end_node])
    routing = pywrapcp.RoutingModel(manager)

    def travel(i: int, j: int) -> int:
        return int(d[places[manager.IndexToNode(i)], places[manager.IndexToNode(j)]])

    def busy(i: int, j: int) -> int:
        return service[manager.IndexToNode(i)] + travel(i, j)

    routing.SetArcCostEvaluatorOfAllVehicles(routing.RegisterTransitCallback(travel))
    span = shift.latest - shift.earliest
    routing.AddDimension(routing.RegisterTransitCallback(busy), span, shift.latest, False, "time")
    time = routing.GetDimensionOrDie("time")
    time.CumulVar(routing.Start(0)).SetRange(shift.earliest, shift.latest)
    time.CumulVar(routing.End(0)).SetRange(shift.earliest, shift.latest)
    for node, job in enumerate(problem.jobs, start=1):
        index = manager.NodeToIndex(node)
        early, late = job.windows[0]
        time.CumulVar(index).SetRange(max(early, shift.earliest), min(late, shift.latest))
        routing.AddDisjunction([index], REQUIRED_PENALTY if job.required else job.prize)
    if shift.lunch is not None:
        lunch = shift.lunch
        interval = routing.solver().FixedDurationIntervalVar(
            lunch.earliest, lunch.latest, lunch.duration_s, False, "lunch"
        )
        visit_transits = [service[manager.IndexToNode(i)] for i in range(routing.Size())]
        time.SetBreakIntervalsOfVehicle([interval], 0, visit_transits)
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
    params.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    params.time_limit.FromMilliseconds(max(1, round(time_limit_s * 1000)))
    found = routing.SolveWithParameters(params)
    if found is None:
        return []
    order, index = [], found.Value(routing.NextVar(routing.Start(0)))
    while not routing.IsEnd(index):
        order.append((manager.IndexToNode(index) - 1, 0))
        index = found.Value(routing.NextVar(index))
    return order
