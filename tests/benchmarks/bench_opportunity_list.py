"""The opportunity list against the same server's bare endpoint, on SQLite and PostgreSQL.

Run on demand (pytest does not collect it: the name does not start with ``test_``)::

    .venv/bin/python tests/benchmarks/bench_opportunity_list.py [--duration 10] [--backends sqlite,postgresql]

For each database: migrate and seed a fresh one (PostgreSQL: its own database ``fieldloop_bench``, created on the
server of ``--pg-admin-url`` and dropped afterwards, never the test suite's ``test``), start the app under one
uvicorn worker pinned to CPU 0, sign in as a rep who owns 120 opportunities, then load ``GET /health/live`` and
``GET /api/v1/opportunities?limit=50`` (50 items per page) with 32 keep-alive connections from CPU 1 (wrk, one
thread). Prints requests/s, p50/p99 latency and the list/bare ratio, and writes them to README.md here.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import re
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the helpers next to this file, when run as a script

from _load import Result, measure, tool_name, wrk_version
from _server import Seed, create_pg_database, drop_pg_database, migrate_and_seed, serve, sqlite_database

README = Path(__file__).resolve().parent / "README.md"
LIST = "/api/v1/opportunities?limit=50"
BARE = "/health/live"
GOAL = 0.3
SERVER_CPU, CLIENT_CPU = 0, 1
START, END = "<!-- results:start -->", "<!-- results:end -->"


@dataclass(frozen=True)
class Measured:
    load: Result
    cpu_us: float | None  # the server process's CPU time per request (user + system), None off Linux


@dataclass(frozen=True)
class Row:
    database: str
    bare: Measured
    listed: Measured

    @property
    def ratio(self) -> float:
        return self.listed.load.requests_per_s / self.bare.load.requests_per_s

    @property
    def cpu_ratio(self) -> float | None:
        """The same ratio from CPU time per request: barely moved by other work on the machine."""
        if not (self.bare.cpu_us and self.listed.cpu_us):
            return None
        return self.bare.cpu_us / self.listed.cpu_us


def _cpu_ticks(pid: int) -> int | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return int(fields[11]) + int(fields[12])  # utime + stime, all threads


def _measure(pid: int, target: str, headers: dict[str, str], args: argparse.Namespace) -> Measured:
    before = _cpu_ticks(pid)
    result = measure(target, headers, connections=args.connections, duration_s=args.duration)
    after = _cpu_ticks(pid)
    cpu_us = None
    if before is not None and after is not None and result.requests:
        cpu_us = (after - before) / os.sysconf("SC_CLK_TCK") * 1e6 / result.requests
    return Measured(result, cpu_us)


def _preflight(base_url: str, token: str) -> None:
    """The list must answer a full page of 50 before it is worth timing."""
    response = httpx.get(base_url + LIST, headers={"Authorization": f"Bearer {token}"}, timeout=10)
    if response.status_code != 200:
        raise RuntimeError(f"GET {LIST} answered {response.status_code}: {response.text[:300]}")
    page = response.json()
    if len(page["items"]) != 50 or not page["next_cursor"]:
        raise RuntimeError(f"GET {LIST} gave {len(page['items'])} items; the benchmark needs a full page")


def _run(database: str, url: str, args: argparse.Namespace) -> Row:
    with serve(url, cpu=SERVER_CPU if args.pin else None) as server:
        token = server.sign_in()
        _preflight(server.base_url, token)
        auth = {"Authorization": f"Bearer {token}"}
        results: dict[str, Measured] = {}
        for path, headers in ((BARE, {}), (LIST, auth)):
            target = server.base_url + path
            measure(target, headers, connections=args.connections, duration_s=args.warmup)
            results[path] = _measure(server.process.pid, target, headers, args)
            if results[path].load.failed:
                raise RuntimeError(f"{database} {path}: {results[path].load.failed} failed requests")
        return Row(database, results[BARE], results[LIST])


def bench(database: str, args: argparse.Namespace, seed: Seed) -> Row:
    if database == "sqlite":
        with sqlite_database() as url:
            asyncio.run(migrate_and_seed(url, seed))
            return _run(database, url, args)
    url = asyncio.run(create_pg_database(args.pg_admin_url))
    try:
        asyncio.run(migrate_and_seed(url, seed))
        return _run(database, url, args)
    finally:
        asyncio.run(drop_pg_database(args.pg_admin_url))


def table(rows: list[Row]) -> str:
    lines = [
        "| database | endpoint | requests/s | p50 ms | p99 ms | server CPU µs/request | list/bare | list/bare by CPU |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        cpu_ratio = f"{row.cpu_ratio:.2f}" if row.cpu_ratio is not None else "n/a"
        listed = (LIST, row.listed, (f"{row.ratio:.2f}", cpu_ratio))
        for label, measured, ratios in ((BARE, row.bare, ("", "")), listed):
            result = measured.load
            cpu = f"{measured.cpu_us:,.0f}" if measured.cpu_us is not None else "n/a"
            lines.append(
                f"| {row.database} | `GET {label}` | {result.requests_per_s:,.0f} | {result.p50_ms:.2f} "
                f"| {result.p99_ms:.2f} | {cpu} | {ratios[0]} | {ratios[1]} |"
            )
    return "\n".join(lines)


def machine() -> str:
    model = next((ln.split(":", 1)[1].strip() for ln in _cpuinfo() if ln.startswith("model name")), platform.machine())
    return f"{os.cpu_count()} cores ({model}), Linux {platform.release()}, Python {platform.python_version()}"


def _cpuinfo() -> list[str]:
    try:
        return Path("/proc/cpuinfo").read_text().splitlines()
    except OSError:
        return []


def report(rows: list[Row], failures: dict[str, str], args: argparse.Namespace, seed: Seed) -> str:
    tool = f"wrk {wrk_version()}, 1 thread" if tool_name() == "wrk" else "the asyncio client in _load.py"
    pinning = f"server pinned to CPU {SERVER_CPU}, load generator to CPU {CLIENT_CPU}" if args.pin else "no pinning"
    parts = [
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {machine()}; load average {args.load_before} before "
        "the run.",
        f"One uvicorn worker; {args.connections} connections; {args.warmup:g} s warm-up, then {args.duration:g} s "
        f"per endpoint; {tool}; {pinning}. The rep owns {seed.opportunities_per_rep} of "
        f"{seed.reps * seed.opportunities_per_rep} opportunities"
        + ("" if seed.with_competitors else " (all without competitors)")
        + f". Goal: list/bare ≥ {GOAL}.",
        "",
        table(rows),
    ]
    for database, reason in failures.items():
        parts += ["", f"**{database}: not measured** — {reason}"]
    return "\n".join(parts)


def write_readme(text: str) -> None:
    current = README.read_text() if README.exists() else f"# Benchmarks\n\n## Results\n\n{START}\n{END}\n"
    block = f"{START}\n{text}\n{END}"
    if START in current and END in current:
        current = re.sub(re.escape(START) + r".*?" + re.escape(END), lambda _: block, current, flags=re.DOTALL)
    else:
        current += f"\n## Results\n\n{block}\n"
    README.write_text(current)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds measured per endpoint")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds of warm-up per endpoint")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument(
        "--pg-admin-url",
        default=os.environ.get("FIELDLOOP_BENCH_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres"),
        help="a database on the PostgreSQL server from which fieldloop_bench is created and dropped",
    )
    parser.add_argument("--no-pin", dest="pin", action="store_false", help="do not pin server and client to CPUs")
    parser.add_argument("--without-competitors", action="store_true", help="seed every opportunity without competitors")
    parser.add_argument("--no-readme", dest="readme", action="store_false", help="print only, leave README.md alone")
    args = parser.parse_args()
    if args.pin and hasattr(os, "sched_setaffinity") and (os.cpu_count() or 1) > 1:
        os.sched_setaffinity(0, {CLIENT_CPU})  # this process, and wrk started from it, stay off the server's CPU
    else:
        args.pin = False
    args.load_before = " ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "n/a"
    seed = Seed(with_competitors=not args.without_competitors)
    rows: list[Row] = []
    failures: dict[str, str] = {}
    for database in [b.strip() for b in args.backends.split(",") if b.strip()]:
        print(f"… {database}", flush=True)
        try:
            rows.append(bench(database, args, seed))
        except Exception as exc:  # one database failing must not hide the other's numbers
            failures[database] = f"{type(exc).__name__}: {exc}"
    text = report(rows, failures, args, seed)
    print(text)
    if args.readme:
        write_readme(text)
    below = [row.database for row in rows if row.ratio < GOAL]
    return 1 if failures or below else 0


if __name__ == "__main__":
    raise SystemExit(main())
