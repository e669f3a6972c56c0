from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

import msgspec

from api.lib.schema import Out, Schema

Lat = Annotated[float, msgspec.Meta(ge=-90, le=90, description="WGS-84 latitude")]
Lon = Annotated[float, msgspec.Meta(ge=-180, le=180, description="WGS-84 longitude")]
Clock = Annotated[
    str, msgspec.Meta(pattern=r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$", description="local time, HH:MM or HH:MM:SS")
]
Mode = Literal["drive", "walk", "transit", "bike"]
Minutes = Annotated[int, msgspec.Meta(ge=0, le=600)]
Priority = Annotated[int, msgspec.Meta(ge=1, le=10, description="what an optional stop is worth, 1 to 10")]
TimeLimit = Annotated[float, msgspec.Meta(ge=0.05, le=10, description="seconds the solver may search")]
Seconds = Annotated[int, msgspec.Meta(ge=0, le=7 * 86_400)]
Outcome = Literal["positive", "neutral", "negative", "no_show"]
DropReason = Literal["window_impossible", "shift_too_short", "window_conflict", "not_worth_detour", "no_location"]
VisitStatus = Literal["planned", "checked_in", "done", "cancelled", "dropped"]
CheckInStatus = Literal["verified", "out_of_range", "low_accuracy"]
MAX_STOPS = 60


class Bilingual(Out, kw_only=True):
    en: str
    zh: str


class Point(Schema, kw_only=True):
    lat: Lat
    lon: Lon


class ShiftIn(Schema, kw_only=True):
    start: Clock
    end: Clock


class BreakIn(Schema, kw_only=True):
    earliest: Clock
    latest: Clock
    minutes: Annotated[int, msgspec.Meta(ge=1, le=240)]


class WindowIn(Schema, kw_only=True):
    """When the customer can be visited: the whole visit, service time included, lies inside it."""

    start: Clock
    end: Clock


class StopIn(Schema, kw_only=True):
    account_id: uuid.UUID | None = None
    lat: Lat | None = None
    lon: Lon | None = None
    name: Annotated[str, msgspec.Meta(max_length=200)] | None = None
    service_minutes: Minutes = 30
    window: WindowIn | None = None
    required: bool = True
    priority: Priority = 5


class MatrixIn(Schema, kw_only=True):
    durations_s: Annotated[list[Annotated[list[Seconds], msgspec.Meta(max_length=MAX_STOPS + 2)]], msgspec.Meta(
        max_length=MAX_STOPS + 2,
        description="travel seconds between start, each stop in order, then end (when given)",
    )]  # fmt: skip


class PlanRequest(Schema, kw_only=True):
    date: date
    start: Point
    end: Point | None = None
    shift: ShiftIn = msgspec.field(default_factory=lambda: ShiftIn(start="09:00", end="18:00"))
    lunch: BreakIn | None = msgspec.field(default=None, name="break")
    mode: Mode = "drive"
    stops: Annotated[list[StopIn], msgspec.Meta(max_length=MAX_STOPS)] = msgspec.field(default_factory=list)
    candidates: Literal["auto", "none"] | None = None
    matrix: MatrixIn | None = None
    time_limit_s: TimeLimit = 2.0


class WeekStopIn(StopIn, kw_only=True):
    """A stop of a week plan: ``day`` pins a fixed appointment; ``visits`` asks for several, spread out.

    Without ``visits``, an account is visited as often as it usually is over the plan's days (the median gap
    between its past visits, counted from its last one); any other stop once.
    """

    day: date | None = None
    visits: Annotated[int, msgspec.Meta(ge=1, le=7)] | None = None


class WeekDayIn(Schema, kw_only=True):
    date: date
    shift: ShiftIn | None = None
    lunch: BreakIn | None = msgspec.field(default=None, name="break")


class WeekPlanRequest(Schema, kw_only=True):
    days: Annotated[list[WeekDayIn], msgspec.Meta(min_length=1, max_length=7)]
    start: Point
    end: Point | None = None
    shift: ShiftIn = msgspec.field(default_factory=lambda: ShiftIn(start="09:00", end="18:00"))
    lunch: BreakIn | None = msgspec.field(default=None, name="break")
    mode: Mode = "drive"
    stops: Annotated[list[WeekStopIn], msgspec.Meta(max_length=MAX_STOPS)] = msgspec.field(default_factory=list)
    candidates: Literal["auto", "none"] | None = None
    time_limit_s: Annotated[float, msgspec.Meta(ge=0.05, le=20)] = 4.0


class ReplanRequest(Schema, kw_only=True):
    """Where the rep is and what has happened; the rest of the day is planned again from here."""

    position: Point
    at: datetime | None = None
    completed: Annotated[list[uuid.UUID], msgspec.Meta(max_length=MAX_STOPS)] = msgspec.field(default_factory=list)
    cancelled: Annotated[list[uuid.UUID], msgspec.Meta(max_length=MAX_STOPS)] = msgspec.field(default_factory=list)
    time_limit_s: TimeLimit = 2.0


class Navigation(Out, kw_only=True):
    google: str
    apple: str
    amap: str


class PlannedStop(Out, kw_only=True):
    index: int
    visit_id: uuid.UUID
    account_id: uuid.UUID | None
    name: str | None
    lat: float | None
    lon: float | None
    arrive: str
    depart: str
    travel_s: int
    wait_s: int
    service_s: int
    required: bool
    candidate: bool
    status: VisitStatus
    reason: Bilingual | None = None
    navigation: Navigation | None = None


class DroppedStop(Out, kw_only=True):
    index: int
    reason: DropReason
    message: Bilingual
    account_id: uuid.UUID | None = None
    visit_id: uuid.UUID | None = None


class BreakOut(Out, kw_only=True):
    start: str
    end: str


class SolverInfo(Out, kw_only=True):
    name: str
    runtime_ms: int
    travel_source: str


class Plan(Out, kw_only=True):
    plan_id: uuid.UUID
    date: date
    mode: Mode
    stops: list[PlannedStop]
    dropped: list[DroppedStop]
    total_travel_s: int
    total_wait_s: int
    lunch: BreakOut | None = msgspec.field(name="break")
    leave: str | None
    back: str | None
    solver: SolverInfo
    revision: int
    version: int


class WeekPlan(Out, kw_only=True):
    week_id: uuid.UUID
    days: list[Plan]
    dropped: list[DroppedStop]
    total_travel_s: int
    solver: SolverInfo


class Visit(Out, kw_only=True):
    id: uuid.UUID
    plan_id: uuid.UUID
    owner_id: uuid.UUID
    account_id: uuid.UUID | None
    name: str | None
    address: str | None
    lat: float | None
    lon: float | None
    visit_date: date
    sequence: int
    required: bool
    candidate: bool
    reason: Bilingual | None
    service_s: int
    planned_arrive: datetime
    planned_depart: datetime
    status: VisitStatus
    drop_reason: str | None
    checked_in_at: datetime | None
    check_in_status: CheckInStatus | None
    check_in_distance_m: float | None
    checked_out_at: datetime | None
    outcome: Outcome | None
    notes: str | None
    navigation: Navigation | None
    version: int


class CheckInRequest(Schema, kw_only=True):
    lat: Lat
    lon: Lon
    accuracy_m: Annotated[float, msgspec.Meta(ge=0, le=100_000)]
    at: datetime


class CheckIn(Out, kw_only=True):
    id: uuid.UUID
    visit_id: uuid.UUID
    owner_id: uuid.UUID
    status: CheckInStatus
    distance_m: float | None
    radius_m: int
    accuracy_m: float
    lat: float
    lon: float
    at: datetime
    received_at: datetime
    flags: list[str]
    speed_kmh: float | None


class CheckOutRequest(Schema, kw_only=True):
    notes: Annotated[str, msgspec.Meta(max_length=5000)] = ""
    outcome: Outcome
    at: datetime | None = None


class CheckOut(Out, kw_only=True):
    visit_id: uuid.UUID
    status: VisitStatus
    outcome: Outcome
    checked_out_at: datetime
    activity_ids: list[uuid.UUID]


class Candidate(Out, kw_only=True):
    account_id: uuid.UUID
    name: str
    score: float
    prize_s: int
    reason: Bilingual
    factors: list[str]
    lat: float | None
    lon: float | None
