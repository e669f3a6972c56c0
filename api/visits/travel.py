"""Travel times between points: geodesic distance by default, an OSRM-compatible table service when configured.

The geodesic estimate is the straight-line (WGS-84 ellipsoid) distance times a detour factor, divided by a
typical door-to-door speed for the mode, plus a fixed overhead per leg (parking, waiting for the metro).
City roads are not straight, so the factors are deliberately conservative: a plan that is a little early
beats one that is late for every appointment.

Configuration (read when a plan is made, so tests and deployments can set it without code changes):
``FIELDLOOP_ROUTING_URL`` — base URL of an OSRM-compatible service (``{url}/table/v1/{profile}/{lon,lat;...}``);
``FIELDLOOP_ROUTING_TIMEOUT_S`` — how long to wait for it (default 5). Transit is not something OSRM routes,
so it always uses the estimate; when the service fails or leaves a pair unroutable, the estimate fills in.
"""

from __future__ import annotations

import asyncio
import logging
import os
from dataclasses import dataclass
from typing import Literal

import httpx
import numpy as np
from geopy.distance import geodesic

log = logging.getLogger("fieldloop.visits.travel")
Mode = Literal["drive", "walk", "transit", "bike"]


@dataclass(frozen=True)
class ModeProfile:
    speed_kmh: float
    detour: float
    overhead_s: int  # per leg between two distinct places
    osrm: str | None  # the OSRM profile name, or None when OSRM does not route this mode


MODES: dict[str, ModeProfile] = {
    "drive": ModeProfile(speed_kmh=28.0, detour=1.35, overhead_s=300, osrm="driving"),
    "walk": ModeProfile(speed_kmh=4.5, detour=1.25, overhead_s=0, osrm="foot"),
    "transit": ModeProfile(speed_kmh=20.0, detour=1.3, overhead_s=480, osrm=None),
    "bike": ModeProfile(speed_kmh=13.0, detour=1.3, overhead_s=60, osrm="bike"),
}

Point = tuple[float, float]  # (lat, lon), WGS-84


@dataclass(frozen=True)
class Matrix:
    durations: np.ndarray  # seconds, int64
    source: str  # "geodesic", "osrm", "osrm+geodesic" or "caller"


def distance_m(a: Point, b: Point) -> float:
    return float(geodesic(a, b).meters)


def estimate_s(metres: float, mode: str) -> int:
    """Door-to-door seconds for a geodesic distance in a mode."""
    if metres < 1:
        return 0
    profile = MODES[mode]
    return round(metres * profile.detour / (profile.speed_kmh / 3.6)) + profile.overhead_s


def geodesic_matrix(points: list[Point], mode: str) -> np.ndarray:
    size = len(points)
    matrix = np.zeros((size, size), dtype=np.int64)
    for i in range(size):
        for j in range(i + 1, size):
            matrix[i, j] = matrix[j, i] = estimate_s(distance_m(points[i], points[j]), mode)
    return matrix


def routing_url() -> str | None:
    return os.environ.get("FIELDLOOP_ROUTING_URL") or None


async def travel_matrix(points: list[Point], mode: str) -> Matrix:
    """Travel seconds between every pair of points, from the configured provider."""
    estimate = await asyncio.to_thread(geodesic_matrix, points, mode)
    url, osrm_profile = routing_url(), MODES[mode].osrm
    if url is None or osrm_profile is None or len(points) < 2:
        return Matrix(estimate, "geodesic")
    table = await _osrm_table(url, osrm_profile, points)
    if table is None:
        return Matrix(estimate, "geodesic")
    unroutable = np.isnan(table)
    merged = np.where(unroutable, estimate, np.rint(np.nan_to_num(table))).astype(np.int64)
    np.fill_diagonal(merged, 0)
    return Matrix(merged, "osrm+geodesic" if unroutable.any() else "osrm")


async def _osrm_table(url: str, profile: str, points: list[Point]) -> np.ndarray | None:
    """OSRM's /table durations (NaN where it found no route), or None when the service cannot be used."""
    coordinates = ";".join(f"{lon:.6f},{lat:.6f}" for lat, lon in points)
    timeout = float(os.environ.get("FIELDLOOP_ROUTING_TIMEOUT_S") or 5)
    try:
        async with httpx.AsyncClient(timeout=timeout) as client:
            response = await client.get(
                f"{url.rstrip('/')}/table/v1/{profile}/{coordinates}", params={"annotations": "duration"}
            )
        body = response.json()
        if response.status_code != 200 or body.get("code") != "Ok":
            log.warning("routing service answered %s %s", response.status_code, body.get("code"))
            return None
        rows = body["durations"]
        table = np.array([[np.nan if v is None else float(v) for v in row] for row in rows], dtype=float)
        if table.shape != (len(points), len(points)):
            log.warning("routing service returned a %s table for %s points", table.shape, len(points))
            return None
        return table
    except (httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
        log.warning("routing service unavailable, using the geodesic estimate: %s", exc)
        return None
