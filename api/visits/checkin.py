"""Judging a GPS check-in: inside the geofence or not, good enough to tell, and plausible in time and space.

A fix is a circle: the reported point and its accuracy radius. The check-in is
- ``out_of_range`` when even the nearest point of that circle lies outside the geofence,
- ``low_accuracy`` when the circle is wider than the geofence itself, so it cannot tell either way,
- ``verified`` otherwise: the phone was plausibly at the customer.
Phones queue check-ins offline and send them later with the device's time; they are judged at that time.
Flags for the manager: ``future_time`` (the device claims a time still to come), ``impossible_speed``
(reaching this place from the rep's check-in just before, or the one just after, would need more than
``MAX_SPEED_KMH``), and ``offline`` (sent much later than made; informative, not suspicious).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from api.visits.travel import distance_m

MAX_SPEED_KMH = 200.0  # faster than any road between two customers; high-speed rail is the rare exception
FUTURE_SKEW = timedelta(minutes=2)  # phones' clocks drift a little
OFFLINE_AFTER = timedelta(minutes=5)
# Two fixes closer than their accuracies (plus this) may be the same place: no speed is inferred from them.
JITTER_M = 500.0
SUSPICIOUS = frozenset({"future_time", "impossible_speed"})


@dataclass(frozen=True)
class Fix:
    lat: float
    lon: float
    accuracy_m: float
    at: datetime


@dataclass(frozen=True)
class Verdict:
    status: str
    distance_m: float | None


def judge(fix: Fix, target: tuple[float, float] | None, radius_m: int) -> Verdict:
    """Where the fix stands against the geofence around the customer."""
    if target is None:
        # A stop with no known place cannot be verified; say so instead of guessing.
        return Verdict("out_of_range", None)
    distance = distance_m((fix.lat, fix.lon), target)
    if distance - fix.accuracy_m > radius_m:
        return Verdict("out_of_range", round(distance, 1))
    if fix.accuracy_m > radius_m:
        return Verdict("low_accuracy", round(distance, 1))
    return Verdict("verified", round(distance, 1))


def speed_kmh(a: Fix, b: Fix) -> float | None:
    """The speed needed between two fixes, or None when they may well be the same place."""
    metres = distance_m((a.lat, a.lon), (b.lat, b.lon))
    if metres <= a.accuracy_m + b.accuracy_m + JITTER_M:
        return None
    seconds = abs((b.at - a.at).total_seconds())
    if seconds < 1:
        return float("inf")
    return metres / seconds * 3.6


def flags(fix: Fix, now: datetime, neighbours: list[Fix]) -> tuple[list[str], float | None]:
    """The flags of a fix, and the highest speed it implies from the rep's neighbouring check-ins."""
    found: list[str] = []
    if fix.at > now + FUTURE_SKEW:
        found.append("future_time")
    elif now - fix.at > OFFLINE_AFTER:
        found.append("offline")
    speeds = [s for s in (speed_kmh(n, fix) for n in neighbours) if s is not None]
    fastest = max(speeds) if speeds else None
    if fastest is not None and fastest > MAX_SPEED_KMH:
        found.append("impossible_speed")
    finite = None if fastest is None or fastest == float("inf") else round(fastest, 1)
    return found, finite
