"""Readers for the reference instances (TSPLIB95 and Solomon), with the distance conventions of their answers."""

from __future__ import annotations

import csv
import math
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

# The repository's parent folder holds shared/ (tests/benchmarks/visits/ is three levels below the repository).
SHARED = Path(os.environ.get("FIELDLOOP_SHARED_DIR") or Path(__file__).resolve().parents[4] / "shared")
TSPLIB = SHARED / "benchmarks" / "tsplib"
SOLOMON = SHARED / "benchmarks" / "solomon"


@dataclass(frozen=True)
class Tsp:
    name: str
    matrix: np.ndarray  # integer TSPLIB distances
    optimum: int
    coordinates: np.ndarray


@dataclass(frozen=True)
class Vrptw:
    name: str
    vehicles: int
    capacity: int
    xy: np.ndarray  # depot first
    demand: np.ndarray
    ready: np.ndarray
    due: np.ndarray
    service: np.ndarray
    bks_vehicles: int
    bks_distance: float

    @property
    def distances(self) -> np.ndarray:
        """Unrounded Euclidean distances (travel time equals distance), as the best-known answers use."""
        diff = self.xy[:, None, :] - self.xy[None, :, :]
        return np.sqrt((diff**2).sum(axis=2))


def _nint(x: float) -> int:
    return int(x + 0.5)


def read_tsp(path: Path, optimum: int) -> Tsp:
    lines = path.read_text().splitlines()
    kind = next(line.split(":")[1].strip() for line in lines if line.startswith("EDGE_WEIGHT_TYPE"))
    start = next(i for i, line in enumerate(lines) if line.strip().startswith("NODE_COORD_SECTION")) + 1
    coords = []
    for line in lines[start:]:
        if line.strip() in ("EOF", ""):
            break
        _, x, y = line.split()[:3]
        coords.append((float(x), float(y)))
    n = len(coords)
    matrix = np.zeros((n, n), dtype=np.int64)
    for i in range(n):
        for j in range(i + 1, n):
            dx, dy = coords[i][0] - coords[j][0], coords[i][1] - coords[j][1]
            if kind == "ATT":
                r = math.sqrt((dx * dx + dy * dy) / 10.0)
                t = _nint(r)
                d = t + 1 if t < r else t
            elif kind == "EUC_2D":
                d = _nint(math.sqrt(dx * dx + dy * dy))
            else:
                raise ValueError(f"{path.name}: {kind} distances are not supported")
            matrix[i, j] = matrix[j, i] = d
    return Tsp(path.stem, matrix, optimum, np.array(coords))


def tsplib() -> list[Tsp]:
    with (TSPLIB / "optimal.csv").open() as f:
        rows = list(csv.DictReader(f))
    return [read_tsp(TSPLIB / f"{r['instance']}.tsp", int(r["optimal_tour_length"])) for r in rows]


def read_solomon(path: Path, bks: dict[str, tuple[int, float]]) -> Vrptw:
    lines = [line.split() for line in path.read_text().splitlines()]
    vehicle_row = next(i for i, parts in enumerate(lines) if parts[:1] == ["NUMBER"]) + 1
    vehicles, capacity = int(lines[vehicle_row][0]), int(lines[vehicle_row][1])
    rows = [parts for parts in lines if len(parts) == 7 and all(p.replace(".", "").isdigit() for p in parts)]
    data = np.array([[float(v) for v in r] for r in rows])
    name = path.stem
    return Vrptw(
        name, vehicles, capacity, data[:, 1:3], data[:, 3].astype(int), data[:, 4], data[:, 5], data[:, 6],
        *bks[name],
    )  # fmt: skip


def solomon(prefixes: tuple[str, ...], limit_per_family: int | None = None) -> list[Vrptw]:
    with (SOLOMON / "best_known.csv").open() as f:
        bks = {r["instance"]: (int(r["bks_vehicles"]), float(r["bks_distance"])) for r in csv.DictReader(f)}
    found = []
    for prefix in prefixes:
        names = sorted(p for p in SOLOMON.glob(f"{prefix}*.txt") if p.stem[len(prefix) :].isdigit() and p.stem in bks)
        found += [read_solomon(p, bks) for p in names[:limit_per_family]]
    return found
