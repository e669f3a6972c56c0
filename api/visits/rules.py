"""What makes a plan request acceptable, each problem named by its field and explained in both languages."""

from __future__ import annotations

from api.lib.errors import FieldProblem
from api.lib.i18n import t
from api.visits.planning import parse_clock
from api.visits.schemas import BreakIn, PlanRequest, ShiftIn, StopIn, WeekPlanRequest

MESSAGES = {
    "before_start": t("The end must come after the start.", "结束时间必须晚于开始时间。"),
    "shorter_than_visit": t(
        "The window is shorter than the visit ({minutes} min).", "时间窗口短于拜访所需时间（{minutes} 分钟）。"
    ),
    "break_too_short": t(
        "The break window is shorter than the break ({minutes} min).", "午休时间窗口短于午休时长（{minutes} 分钟）。"
    ),
    "break_outside_shift": t("The break must lie within the shift.", "午休时间必须在工作时间之内。"),
    "no_location": t(
        "Give an account_id, or lat and lon, for each stop.", "每个拜访点都需要提供 account_id，或 lat 和 lon。"
    ),
    "location_incomplete": t("Latitude and longitude go together.", "纬度和经度必须同时提供。"),
    "not_with_matrix": t(
        "Automatic candidates need travel times the caller's matrix does not have; omit one of them.",
        "自动推荐客户需要计算路程时间，不能与自带的 matrix 同时使用。",
    ),
    "wrong_size": t(
        "The matrix must be {size} × {size}: start, each stop, then end.",
        "matrix 必须是 {size} × {size}：起点、每个拜访点，然后是终点。",
    ),
    "unknown_day": t("This day is not one of the plan's days.", "该日期不在计划的日期之内。"),
    "duplicate_day": t("Each day may appear once.", "每个日期只能出现一次。"),
}


def problem(field: str, code: str, **params: object) -> FieldProblem:
    return FieldProblem(field, code, MESSAGES[code], dict(params))


def check_shift(shift: ShiftIn, field: str) -> list[FieldProblem]:
    if parse_clock(shift.end) <= parse_clock(shift.start):
        return [problem(f"{field}.end", "before_start")]
    return []


def check_break(lunch: BreakIn | None, shift: ShiftIn, field: str) -> list[FieldProblem]:
    if lunch is None:
        return []
    earliest, latest = parse_clock(lunch.earliest), parse_clock(lunch.latest)
    if latest <= earliest:
        return [problem(f"{field}.latest", "before_start")]
    if latest - earliest < lunch.minutes * 60:
        return [problem(f"{field}.latest", "break_too_short", minutes=lunch.minutes)]
    if earliest < parse_clock(shift.start) or latest > parse_clock(shift.end):
        return [problem(field, "break_outside_shift")]
    return []


def check_stop(stop: StopIn, field: str, needs_place: bool) -> list[FieldProblem]:
    problems = []
    if (stop.lat is None) != (stop.lon is None):
        problems.append(problem(f"{field}.{'lon' if stop.lon is None else 'lat'}", "location_incomplete"))
    elif needs_place and stop.account_id is None and stop.lat is None:
        problems.append(problem(field, "no_location"))
    if stop.window is not None:
        start, end = parse_clock(stop.window.start), parse_clock(stop.window.end)
        if end <= start:
            problems.append(problem(f"{field}.window.end", "before_start"))
        elif end - start < stop.service_minutes * 60:
            problems.append(problem(f"{field}.window", "shorter_than_visit", minutes=stop.service_minutes))
    return problems


def check_day(data: PlanRequest) -> list[FieldProblem]:
    problems = check_shift(data.shift, "shift")
    if not problems:
        problems += check_break(data.lunch, data.shift, "break")
    for i, stop in enumerate(data.stops):
        problems += check_stop(stop, f"stops[{i}]", needs_place=data.matrix is None)
    if data.matrix is not None:
        if data.candidates == "auto":
            problems.append(problem("candidates", "not_with_matrix"))
        size = 1 + len(data.stops) + (1 if data.end is not None else 0)
        rows = data.matrix.durations_s
        if len(rows) != size or any(len(row) != size for row in rows):
            problems.append(problem("matrix.durations_s", "wrong_size", size=size))
    return problems


def check_week(data: WeekPlanRequest) -> list[FieldProblem]:
    problems = check_shift(data.shift, "shift")
    if not problems:
        problems += check_break(data.lunch, data.shift, "break")
    dates = [d.date for d in data.days]
    for i, day in enumerate(data.days):
        if day.date in dates[:i]:
            problems.append(problem(f"days[{i}].date", "duplicate_day"))
        shift = day.shift or data.shift
        if day.shift is not None:
            problems += check_shift(day.shift, f"days[{i}].shift")
        if day.lunch is not None:
            problems += check_break(day.lunch, shift, f"days[{i}].break")
    for i, stop in enumerate(data.stops):
        problems += check_stop(stop, f"stops[{i}]", needs_place=True)
        if stop.day is not None and stop.day not in dates:
            problems.append(problem(f"stops[{i}].day", "unknown_day"))
    return problems
