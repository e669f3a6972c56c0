"""Stored plans and visits as response bodies: local clock times, navigation links, reasons in both languages."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from api.db.models import Visit, VisitCheckIn, VisitPlan
from api.lib.schema import to_out
from api.visits import navigation, schemas
from api.visits.candidates import Ranked
from api.visits.planning import DAY, REASONS, clock
from api.visits.service import Saved

LISTED = ("planned", "checked_in", "done")  # the stops of a plan; cancelled and dropped ones are listed apart


def local_clock(instant: datetime, day: date, zone: ZoneInfo) -> str:
    local = instant.astimezone(zone)
    return clock((local.date() - day).days * DAY + local.hour * 3600 + local.minute * 60 + local.second)


def nav(visit: Visit, mode: str) -> schemas.Navigation | None:
    if visit.lat is None or visit.lon is None:
        return None
    return schemas.Navigation(**navigation.links(visit.lat, visit.lon, visit.name, mode))


def _bilingual(text: Any) -> schemas.Bilingual | None:
    return schemas.Bilingual(en=text["en"], zh=text["zh"]) if text else None


def dropped(items: list[dict[str, Any]]) -> list[schemas.DroppedStop]:
    return [
        schemas.DroppedStop(
            index=d["index"],
            reason=d["reason"],
            message=schemas.Bilingual(**REASONS[d["reason"]]),
            account_id=uuid.UUID(d["account_id"]) if d.get("account_id") else None,
            visit_id=uuid.UUID(d["visit_id"]) if d.get("visit_id") else None,
        )
        for d in items
    ]


def _stop(v: Visit, p: VisitPlan, zone: ZoneInfo) -> schemas.PlannedStop:
    return schemas.PlannedStop(
        index=v.stop_index, visit_id=v.id, account_id=v.account_id, name=v.name, lat=v.lat, lon=v.lon,
        arrive=local_clock(v.planned_arrive, p.plan_date, zone),
        depart=local_clock(v.planned_depart, p.plan_date, zone),
        travel_s=v.travel_s, wait_s=v.wait_s, service_s=v.service_s, required=v.required,
        candidate=v.candidate, status=v.status,  # type: ignore[arg-type]
        reason=_bilingual(v.reason), navigation=nav(v, p.mode),
    )  # fmt: skip


def plan(saved: Saved, extra_dropped: list[dict[str, Any]] | None = None) -> schemas.Plan:
    p: VisitPlan = saved.plan
    zone = ZoneInfo(p.timezone)
    ordered = sorted(saved.visits, key=lambda v: (v.sequence, v.stop_index))
    stops = [_stop(v, p, zone) for v in ordered if v.status in LISTED]
    lunch = (
        schemas.BreakOut(start=clock(p.break_start_s), end=clock(p.break_end_s))
        if p.break_start_s is not None and p.break_end_s is not None
        else None
    )
    solver = p.solver or {}
    return schemas.Plan(
        plan_id=p.id, date=p.plan_date, mode=p.mode,  # type: ignore[arg-type]
        stops=stops, dropped=dropped(list(p.dropped or []) + (extra_dropped or [])),
        total_travel_s=p.total_travel_s, total_wait_s=p.total_wait_s, lunch=lunch,
        leave=clock(p.leave_s) if p.leave_s is not None else None,
        back=clock(p.back_s) if p.back_s is not None else None,
        solver=schemas.SolverInfo(
            name=str(solver.get("name", "pyvrp")), runtime_ms=int(solver.get("runtime_ms", 0)),
            travel_source=str(solver.get("travel_source", saved.travel_source)),
        ),
        revision=p.revision, version=p.version,
    )  # fmt: skip


def visit(row: Visit, mode: str = "drive") -> schemas.Visit:
    return to_out(schemas.Visit, row, reason=_bilingual(row.reason), navigation=nav(row, mode))


def check_in(row: VisitCheckIn) -> schemas.CheckIn:
    return to_out(schemas.CheckIn, row)


def candidate(c: Ranked) -> schemas.Candidate:
    return schemas.Candidate(
        account_id=c.account_id, name=c.name, score=c.score, prize_s=c.prize_s,
        reason=schemas.Bilingual(en=c.reason["en"], zh=c.reason["zh"]), factors=list(c.factors), lat=c.lat, lon=c.lon,
    )  # fmt: skip
