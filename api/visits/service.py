"""Planning a rep's day or week, re-planning mid-day, and reading plans and visits.

A rep plans their own days; a manager reads the team's (every read goes through the scoping helper). A new
plan for a day supersedes the rep's earlier plan of that day: its untouched visits give way, while visits
already checked in, done or cancelled stay as the record of what happened.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from api.db.models import Account, Visit, VisitPlan
from api.db.types import utcnow
from api.lib.auth import Principal
from api.lib.errors import AppError, FieldProblem, conflict, field_error, forbidden, validation_failed
from api.lib.i18n import t
from api.lib.pagination import decode_cursor, encode_cursor
from api.lib.scope import get_visible, visible
from api.visits import candidates, planning, rules, solver
from api.visits.geocoding import Geocoder
from api.visits.planning import DAY, Day, Lunch, PlanStop, parse_clock
from api.visits.schemas import BreakIn, PlanRequest, ReplanRequest, ShiftIn, StopIn, WeekPlanRequest, WeekStopIn
from api.visits.travel import Point, travel_matrix

SOLVER_NAME = "pyvrp"


@dataclass
class Saved:
    """A stored plan with its visits, and what the response needs beyond them."""

    plan: VisitPlan
    visits: list[Visit]
    travel_source: str


def _day(shift: ShiftIn, lunch: BreakIn | None) -> Day:
    return Day(
        parse_clock(shift.start),
        parse_clock(shift.end),
        Lunch(parse_clock(lunch.earliest), parse_clock(lunch.latest), lunch.minutes) if lunch else None,
    )


class VisitService:
    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        self.session = session
        self.principal = principal
        self.zone = ZoneInfo(principal.timezone)

    # --- planning -------------------------------------------------------------------------------------------

    async def plan_day(self, data: PlanRequest) -> Saved:
        problems = rules.check_day(data)
        if problems:
            raise validation_failed(problems)
        stops = await self._stops(data.stops, data.matrix is not None)
        if data.candidates == "auto":
            stops += await self._candidates(data.date, stops, len(data.stops))
        day = _day(data.shift, data.lunch)
        points, durations, source = await self._matrix(data.start, data.end, stops, data.mode, data.matrix)
        end_location = len(points) - 1 if data.end is not None else 0
        self._check_reachable(durations, day, end_location, "shift")
        outcome = await self._solve(stops, durations, [day], end_location, data.time_limit_s, points=points)
        await self._supersede([data.date])
        plan = self._new_plan(data.date, data.mode, data.start, data.end, day, outcome, source, week_id=None)
        if data.matrix is not None:
            plan.matrix = [list(row) for row in data.matrix.durations_s]
        route = outcome.routes.get(0)
        plan.dropped = [_dropped(stop, reason) for stop, reason in outcome.dropped]
        visits = self._new_visits(plan, route, data.date)
        self.session.add(plan)
        await self.session.flush()
        self.session.add_all(visits)
        await self.session.flush()
        return Saved(plan, visits, source)

    async def plan_week(self, data: WeekPlanRequest) -> tuple[uuid.UUID, list[Saved], list[dict[str, object]], int]:
        problems = rules.check_week(data)
        if problems:
            raise validation_failed(problems)
        dates = [d.date for d in data.days]
        stops = await self._stops(data.stops, False)
        for stop, spec in zip(stops, data.stops, strict=True):
            stop.days = (dates.index(spec.day),) if spec.day is not None else None
        if data.candidates == "auto":
            stops += await self._candidates(min(dates), stops, len(data.stops))
        await self._frequencies(stops, data.stops, min(dates), max(dates))
        days = [_day(d.shift or data.shift, _week_lunch(d.lunch, data.lunch, d.shift or data.shift)) for d in data.days]
        points, durations, source = await self._matrix(data.start, data.end, stops, data.mode, None)
        end_location = len(points) - 1 if data.end is not None else 0
        for i, day in enumerate(days):
            self._check_reachable(durations, day, end_location, f"days[{i}].shift")
        outcome = await self._solve(stops, durations, days, end_location, data.time_limit_s, points=points)
        await self._supersede(dates)
        week_id = uuid.uuid4()
        saved: list[Saved] = []
        for k, (spec, day) in enumerate(zip(data.days, days, strict=True)):
            plan = self._new_plan(spec.date, data.mode, data.start, data.end, day, outcome, source, week_id, k)
            visits = self._new_visits(plan, outcome.routes.get(k), spec.date)
            self.session.add(plan)
            await self.session.flush()
            self.session.add_all(visits)
            saved.append(Saved(plan, visits, source))
        await self.session.flush()
        return week_id, saved, [_dropped(stop, reason) for stop, reason in outcome.dropped], outcome.runtime_ms

    async def replan(self, plan_id: uuid.UUID, data: ReplanRequest) -> Saved:
        """Plan the rest of the day from where the rep stands, keeping what is done where it is."""
        plan = await get_visible(self.session, VisitPlan, plan_id, self.principal)
        if plan.owner_id != self.principal.user_id:
            raise forbidden()
        if plan.status != "active":
            raise conflict(
                "plan-superseded",
                t("A newer plan replaced this one; re-plan that one.", "该计划已被新计划取代，请对新计划重新规划。"),
            )
        visits = await self._plan_visits(plan.id)
        by_id = {v.id: v for v in visits}
        self._mark(data.completed, "completed", by_id, "done")
        self._mark(data.cancelled, "cancelled", by_id, "cancelled")
        if data.at is not None and data.at.tzinfo is None:
            raise field_error("at", "no_timezone", t("Give the time with a time zone.", "时间必须带时区。"))
        now = (data.at or utcnow()).astimezone(self.zone)
        t_now = self._seconds_of_day(plan.plan_date, now)
        if t_now >= plan.shift_end_s:
            raise field_error("at", "after_shift", t("The shift of this plan is over.", "该计划的工作时间已结束。"))
        kept = [v for v in visits if v.status in ("done", "checked_in")]
        start_clock = max(t_now, plan.shift_start_s)
        for v in kept:
            if v.status == "checked_in" and v.checked_in_at is not None:
                # The visit under way ends its service first, then the rest of the day begins.
                start_clock = max(start_clock, self._seconds_of_day(plan.plan_date, v.checked_in_at) + v.service_s)
        lunch, resume_at, lunch_settled = self._remaining_lunch(plan, start_clock)
        if resume_at is not None:
            start_clock = max(start_clock, resume_at)
        open_visits = sorted((v for v in visits if v.status in ("planned", "dropped")), key=lambda v: v.stop_index)
        stops = [self._stop_of(v) for v in open_visits]
        durations, start_row, end_row, source = await self._replan_matrix(plan, data, kept, open_visits, stops)
        day = Day(start_clock, plan.shift_end_s, lunch)
        outcome = await self._solve(stops, durations, [day], end_row, data.time_limit_s, start_row)
        self._apply(plan, kept, open_visits, outcome, lunch_settled)
        plan.revision += 1
        plan.solver = {"name": SOLVER_NAME, "runtime_ms": outcome.runtime_ms, "travel_source": source}
        plan.updated_at = utcnow()
        await self.session.flush()
        return Saved(plan, await self._plan_visits(plan.id), source)

    # --- reading --------------------------------------------------------------------------------------------

    async def get_plan(self, plan_id: uuid.UUID) -> Saved:
        plan = await get_visible(self.session, VisitPlan, plan_id, self.principal)
        return Saved(plan, await self._plan_visits(plan.id), str((plan.solver or {}).get("travel_source", "")))

    async def get_visit(self, visit_id: uuid.UUID) -> tuple[Visit, str]:
        """A visit and the travel mode of its plan (for its navigation links)."""
        visit = await get_visible(self.session, Visit, visit_id, self.principal)
        return visit, await self._mode(visit.plan_id)

    async def _mode(self, plan_id: uuid.UUID) -> str:
        return (await self.session.execute(select(VisitPlan.mode).where(VisitPlan.id == plan_id))).scalar_one()

    async def list_visits(
        self, limit: int, cursor: str | None, day: date | None, owner_id: uuid.UUID | None, status: str | None
    ) -> tuple[list[tuple[Visit, str]], str | None]:
        """Visits the caller may see (with their plan's travel mode), in the order they are planned to happen."""
        stmt = visible(
            select(Visit, VisitPlan.mode).join(VisitPlan, VisitPlan.id == Visit.plan_id), Visit, self.principal
        )
        if day is not None:
            stmt = stmt.where(Visit.visit_date == day)
        if owner_id is not None:
            stmt = stmt.where(Visit.owner_id == owner_id)
        if status is not None:
            stmt = stmt.where(Visit.status == status)
        if cursor:
            at, last_id = decode_cursor(cursor)
            stmt = stmt.where((Visit.planned_arrive > at) | ((Visit.planned_arrive == at) & (Visit.id > last_id)))
        stmt = stmt.order_by(Visit.planned_arrive, Visit.id).limit(limit + 1)
        rows = [(visit, mode) for visit, mode in (await self.session.execute(stmt)).all()]
        more = len(rows) > limit
        rows = rows[:limit]
        return rows, encode_cursor(rows[-1][0].planned_arrive, rows[-1][0].id) if more else None

    async def candidates(self, day: date) -> list[candidates.Ranked]:
        return await candidates.rank(self.session, self.principal, day, set())

    # --- the steps of planning ------------------------------------------------------------------------------

    async def _stops(self, specs: Sequence[StopIn], matrix: bool) -> list[PlanStop]:
        """The requested stops, with the account's name and place filled in; unknown accounts are refused."""
        ids = {s.account_id for s in specs if s.account_id is not None}
        accounts: dict[uuid.UUID, Account] = {}
        if ids:
            stmt = visible(select(Account).where(Account.id.in_(ids)), Account, self.principal)
            accounts = {a.id: a for a in (await self.session.execute(stmt)).scalars()}
        problems = [
            FieldProblem(
                f"stops[{i}].account_id", "unknown", t("No such account in your reach.", "您的权限范围内没有该客户。")
            )
            for i, s in enumerate(specs)
            if s.account_id is not None and s.account_id not in accounts
        ]
        if problems:
            raise validation_failed(problems)
        geocoder = Geocoder(self.session)
        stops = []
        for i, spec in enumerate(specs):
            account = accounts.get(spec.account_id) if spec.account_id else None
            point: Point | None = (spec.lat, spec.lon) if spec.lat is not None and spec.lon is not None else None
            if point is None and account is not None:
                if account.lat is not None and account.lon is not None:
                    point = (account.lat, account.lon)
                elif not matrix:
                    point = await geocoder.locate(account.address)
            window = (parse_clock(spec.window.start), parse_clock(spec.window.end)) if spec.window else None
            stops.append(
                PlanStop(
                    index=i, service_s=spec.service_minutes * 60, required=spec.required,
                    prize=planning.prize_for_priority(spec.priority), window=window, account_id=spec.account_id,
                    name=spec.name or (account.name if account else None),
                    address=account.address if account else None, point=point,
                    priority=None if spec.required else spec.priority,
                )
            )  # fmt: skip
        return stops

    async def _frequencies(self, stops: list[PlanStop], specs: Sequence[WeekStopIn], first: date, last: date) -> None:
        """How many times each stop is visited over the days: as asked, else as often as its account usually is."""
        ids = [s.account_id for s in stops if s.account_id is not None]
        usual = await candidates.cadences(self.session, self.principal, ids, first) if ids else {}
        for stop in stops:
            asked = specs[stop.index].visits if stop.index < len(specs) else None
            due = candidates.visits_due(usual.get(stop.account_id) if stop.account_id else None, first, last)
            stop.visits = asked or due

    async def _candidates(self, day: date, stops: list[PlanStop], first_index: int) -> list[PlanStop]:
        exclude = {s.account_id for s in stops if s.account_id is not None}
        ranked = await candidates.rank(self.session, self.principal, day, exclude)
        geocoder = Geocoder(self.session)
        found = []
        for c in ranked:
            point = (c.lat, c.lon) if c.lat is not None and c.lon is not None else await geocoder.locate(c.address)
            if point is None:
                continue  # a suggestion we cannot place is no suggestion
            found.append(
                PlanStop(
                    index=first_index + len(found), service_s=candidates.DEFAULT_SERVICE_S, required=False,
                    prize=c.prize_s, account_id=c.account_id, name=c.name, address=c.address, point=point,
                    candidate=True, reason=c.reason,
                )
            )  # fmt: skip
        return found

    async def _matrix(
        self, start: object, end: object, stops: list[PlanStop], mode: str, matrix: object
    ) -> tuple[list[Point | None], np.ndarray, str]:
        """Travel seconds between start, the stops and end; assigns each placeable stop its matrix row."""
        if matrix is not None:
            rows = np.array(matrix.durations_s, dtype=np.int64)  # type: ignore[attr-defined]
            for i, stop in enumerate(stops):
                stop.location = 1 + i
            points: list[Point | None] = [(start.lat, start.lon), *[s.point for s in stops]]  # type: ignore[attr-defined]
            if end is not None:
                points.append((end.lat, end.lon))  # type: ignore[attr-defined]
            return points, rows, "caller"
        points = [(start.lat, start.lon)]  # type: ignore[attr-defined]
        for stop in stops:
            if stop.point is not None:
                stop.location = len(points)
                points.append(stop.point)
        if end is not None:
            points.append((end.lat, end.lon))  # type: ignore[attr-defined]
        result = await travel_matrix(points, mode)  # type: ignore[arg-type]
        return points, result.durations, result.source  # type: ignore[return-value]

    def _check_reachable(self, durations: np.ndarray, day: Day, end_location: int, field: str) -> None:
        needed = int(durations[0, end_location]) + (day.lunch.minutes * 60 if day.lunch else 0)
        if day.shift_start + needed > day.shift_end:
            raise field_error(
                field,
                "too_short",
                t(
                    "The shift is too short even to travel from start to end.",
                    "工作时间太短，连从起点到终点的路程都不够。",
                ),
            )

    async def _solve(
        self,
        stops: list[PlanStop],
        durations: np.ndarray,
        days: list[Day],
        end_location: int,
        time_limit_s: float,
        start_location: int = 0,
        points: list[Point | None] | None = None,
    ) -> planning.Outcome:
        coordinates = planning.planar(points) if points and len(points) == durations.shape[0] else None
        problem, occurrences, dropped = planning.build(
            stops, durations, days, start_location, end_location, coordinates
        )
        # The solver is CPU-bound native code: keep the event loop free for other requests meanwhile.
        solution = await asyncio.to_thread(solver.solve_problem, problem, time_limit_s)
        return planning.read(stops, problem, occurrences, solution, dropped)

    async def _supersede(self, dates: list[date]) -> None:
        """Earlier active plans of these days give way; their untouched visits go, the rest stays as record."""
        stmt = select(VisitPlan.id).where(
            VisitPlan.org_id == self.principal.org_id,
            VisitPlan.owner_id == self.principal.user_id,
            VisitPlan.plan_date.in_(dates),
            VisitPlan.status == "active",
        )
        old = list((await self.session.execute(stmt)).scalars())
        if not old:
            return
        await self.session.execute(
            delete(Visit).where(Visit.plan_id.in_(old), Visit.status.in_(("planned", "dropped")))
        )
        await self.session.execute(
            update(VisitPlan)
            .where(VisitPlan.id.in_(old))
            .values(status="superseded", version=VisitPlan.version + 1, updated_at=utcnow())
            .execution_options(synchronize_session=False)
        )

    def _new_plan(
        self,
        day_date: date,
        mode: str,
        start: object,
        end: object,
        day: Day,
        outcome: planning.Outcome,
        source: str,
        week_id: uuid.UUID | None,
        k: int = 0,
    ) -> VisitPlan:
        route = outcome.routes.get(k)
        return VisitPlan(
            id=uuid.uuid4(), org_id=self.principal.org_id, owner_id=self.principal.user_id, plan_date=day_date,
            week_id=week_id, timezone=self.principal.timezone, mode=mode,
            start_lat=start.lat, start_lon=start.lon,  # type: ignore[attr-defined]
            end_lat=end.lat if end is not None else None, end_lon=end.lon if end is not None else None,  # type: ignore[attr-defined]
            shift_start_s=day.shift_start, shift_end_s=day.shift_end,
            break_earliest_s=day.lunch.earliest if day.lunch else None,
            break_latest_s=day.lunch.latest if day.lunch else None,
            break_minutes=day.lunch.minutes if day.lunch else None,
            break_start_s=route.lunch[0] if route and route.lunch else None,
            break_end_s=route.lunch[1] if route and route.lunch else None,
            leave_s=route.leave if route else None, back_s=route.back if route else None,
            total_travel_s=route.travel_s if route else 0, total_wait_s=route.wait_s if route else 0,
            dropped=[], solver={"name": SOLVER_NAME, "runtime_ms": outcome.runtime_ms, "travel_source": source},
            status="active", revision=1,
        )  # fmt: skip

    def _new_visits(self, plan: VisitPlan, route: planning.DayRoute | None, day_date: date) -> list[Visit]:
        if route is None:
            return []
        visits = []
        for n, p in enumerate(route.stops):
            visit = Visit(
                id=uuid.uuid4(), org_id=plan.org_id, owner_id=plan.owner_id, plan_id=plan.id,
                account_id=p.stop.account_id, name=p.stop.name, address=p.stop.address,
                lat=p.stop.point[0] if p.stop.point else None, lon=p.stop.point[1] if p.stop.point else None,
                visit_date=day_date, sequence=n, stop_index=p.stop.index, matrix_index=p.stop.location or 0,
                required=p.stop.required, priority=p.stop.priority, prize_s=p.stop.prize,
                candidate=p.stop.candidate, reason=dict(p.stop.reason) if p.stop.reason else None,
                service_s=p.stop.service_s,
                window_start_s=p.stop.window[0] if p.stop.window else None,
                window_end_s=p.stop.window[1] if p.stop.window else None,
                planned_arrive=self._instant(day_date, p.arrive), planned_depart=self._instant(day_date, p.depart),
                travel_s=p.travel_s, wait_s=p.wait_s, status="planned", activity_ids=[],
            )  # fmt: skip
            visits.append(visit)
        return visits

    # --- re-planning ----------------------------------------------------------------------------------------

    async def _plan_visits(self, plan_id: uuid.UUID) -> list[Visit]:
        stmt = select(Visit).where(Visit.plan_id == plan_id).order_by(Visit.sequence, Visit.stop_index)
        return list((await self.session.execute(stmt)).scalars())

    def _mark(self, ids: list[uuid.UUID], field: str, by_id: dict[uuid.UUID, Visit], status: str) -> None:
        problems = [
            FieldProblem(f"{field}[{i}]", "unknown", t("No such visit in this plan.", "该计划中没有这个拜访。"))
            for i, visit_id in enumerate(ids)
            if visit_id not in by_id
        ]
        if problems:
            raise validation_failed(problems)
        for visit_id in ids:
            visit = by_id[visit_id]
            if visit.status == "done" and status == "cancelled":
                raise AppError(
                    409, "visit-done", t("Conflict", "冲突"),
                    t("A visit that is done cannot be cancelled.", "已完成的拜访不能取消。"),
                )  # fmt: skip
            if visit.status != status:
                visit.status = status

    def _remaining_lunch(self, plan: VisitPlan, now: int) -> tuple[Lunch | None, int | None, bool]:
        """The break still to take (its window narrowed to now), when a break under way ends, and whether the
        break on record is settled (taken or under way) and so stays as it is."""
        if plan.break_minutes is None or plan.break_earliest_s is None or plan.break_latest_s is None:
            return None, None, False
        if plan.break_start_s is not None and plan.break_end_s is not None and plan.break_start_s <= now:
            return None, plan.break_end_s if now < plan.break_end_s else None, True
        earliest = max(plan.break_earliest_s, now)
        if plan.break_latest_s - earliest < plan.break_minutes * 60:
            return None, None, False  # no room left for the break today
        return Lunch(earliest, plan.break_latest_s, plan.break_minutes), None, False

    def _stop_of(self, visit: Visit) -> PlanStop:
        window = (
            (visit.window_start_s, visit.window_end_s)
            if visit.window_start_s is not None and visit.window_end_s is not None
            else None
        )
        return PlanStop(
            index=visit.stop_index, service_s=visit.service_s, required=visit.required, prize=visit.prize_s,
            window=window, account_id=visit.account_id, name=visit.name, address=visit.address,
            point=(visit.lat, visit.lon) if visit.lat is not None and visit.lon is not None else None,
            candidate=visit.candidate, reason=visit.reason, priority=visit.priority, visit_id=visit.id,
        )  # fmt: skip

    async def _replan_matrix(
        self, plan: VisitPlan, data: ReplanRequest, kept: list[Visit], open_visits: list[Visit], stops: list[PlanStop]
    ) -> tuple[np.ndarray, int, int, str]:
        """Travel times for the rest of the day, and the rows of the current position and of the end."""
        if plan.matrix is not None:
            # The caller's matrix knows only the plan's places: the rep is taken to be at the last visit made.
            full = np.array(plan.matrix, dtype=np.int64)
            last = max(kept, key=lambda v: v.sequence, default=None)
            for stop, visit in zip(stops, open_visits, strict=True):
                stop.location = visit.matrix_index
            end_row = full.shape[0] - 1 if plan.end_lat is not None else 0
            return full, last.matrix_index if last else 0, end_row, "caller"
        points: list[Point] = [(data.position.lat, data.position.lon)]
        for stop in stops:
            if stop.point is not None:
                stop.location = len(points)
                points.append(stop.point)
        if plan.end_lat is not None and plan.end_lon is not None:
            points.append((plan.end_lat, plan.end_lon))
        else:
            points.append((plan.start_lat or 0.0, plan.start_lon or 0.0))
        result = await travel_matrix(points, plan.mode)
        return result.durations, 0, len(points) - 1, result.source

    def _apply(
        self, plan: VisitPlan, kept: list[Visit], open_visits: list[Visit], outcome: planning.Outcome, ate: bool
    ) -> None:
        by_id = {v.id: v for v in open_visits}
        route = outcome.routes.get(0)
        sequence = max((v.sequence for v in kept), default=-1) + 1
        placed_ids = set()
        for p in route.stops if route else []:
            visit = by_id[p.stop.visit_id]  # type: ignore[index]
            placed_ids.add(visit.id)
            visit.sequence = sequence
            sequence += 1
            visit.planned_arrive = self._instant(plan.plan_date, p.arrive)
            visit.planned_depart = self._instant(plan.plan_date, p.depart)
            visit.travel_s, visit.wait_s = p.travel_s, p.wait_s
            visit.status, visit.drop_reason = "planned", None
        for stop, reason in outcome.dropped:
            visit = by_id[stop.visit_id]  # type: ignore[index]
            visit.status, visit.drop_reason = "dropped", reason
        if not ate:
            plan.break_start_s = route.lunch[0] if route and route.lunch else None
            plan.break_end_s = route.lunch[1] if route and route.lunch else None
        plan.total_travel_s = sum(v.travel_s for v in kept) + (route.travel_s if route else 0)
        plan.total_wait_s = sum(v.wait_s for v in kept) + (route.wait_s if route else 0)
        plan.back_s = route.back if route else plan.back_s
        earlier = [d for d in plan.dropped or [] if d.get("visit_id") is None]
        plan.dropped = earlier + [_dropped(stop, reason) for stop, reason in outcome.dropped]

    # --- time -----------------------------------------------------------------------------------------------

    def _instant(self, day: date, seconds: int) -> datetime:
        """A local time of day (seconds, possibly past midnight) as an aware instant."""
        # Aware arithmetic in Python is wall-clock arithmetic: 09:30 stays 09:30 on a day when clocks change.
        return datetime.combine(day, time(0), self.zone) + timedelta(seconds=seconds)

    def _seconds_of_day(self, day: date, instant: datetime) -> int:
        local = instant.astimezone(self.zone)
        return (local.date() - day).days * DAY + local.hour * 3600 + local.minute * 60 + local.second


def _week_lunch(own: BreakIn | None, week: BreakIn | None, shift: ShiftIn) -> BreakIn | None:
    """A day's break: its own, else the week's when it fits the day's shift (a half day has no lunch)."""
    if own is not None or week is None:
        return own
    inside = parse_clock(shift.start) <= parse_clock(week.earliest) and parse_clock(week.latest) <= parse_clock(
        shift.end
    )
    return week if inside else None


def _dropped(stop: PlanStop, reason: str) -> dict[str, object]:
    return {
        "index": stop.index,
        "reason": reason,
        "account_id": str(stop.account_id) if stop.account_id else None,
        "visit_id": str(stop.visit_id) if stop.visit_id else None,
    }
