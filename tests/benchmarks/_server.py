"""Benchmark plumbing: a migrated and seeded database, and the app under one uvicorn worker in a subprocess."""

from __future__ import annotations

import ctypes
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import asyncpg
import httpx

from api.db.engine import Database
from api.db.migrations import upgrade_async
from api.db.models import Account, Opportunity
from api.orgs.service import UserSpec, create_user
from api.pipeline.defaults import DEFAULT_PIPELINE
from api.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
SECRET = "bench-secret-" + "b" * 40
PASSWORD = "bench-password"
BENCH_REP = "rep1@bench.test"
PG_BENCH_DB = "fieldloop_bench"
ACCOUNTS_PER_REP = 20
COMPETITORS = ([], ["Globex"], ["Globex", "Initech 英泰"])


@dataclass(frozen=True)
class Seed:
    """How much data each rep owns; the benchmarked rep is ``rep1``."""

    reps: int = 6
    opportunities_per_rep: int = 120
    with_competitors: bool = True


def _driverless(url: str) -> str:
    """The URL as asyncpg takes it: an admin URL may be given with SQLAlchemy's ``+asyncpg`` or without."""
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


def _pg_dsn(admin_url: str, database: str) -> str:
    """``postgresql://user@host:port/<database>``, from the admin URL of the same server."""
    return _driverless(admin_url).rsplit("/", 1)[0] + "/" + database


@contextmanager
def sqlite_database() -> Iterator[str]:
    """A fresh SQLite file in a temporary directory; yields its SQLAlchemy URL."""
    workdir = Path(tempfile.mkdtemp(prefix="fieldloop-bench-"))
    try:
        yield f"sqlite+aiosqlite:///{workdir / 'bench.db'}"
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


async def create_pg_database(admin_url: str, name: str = PG_BENCH_DB) -> str:
    """(Re)create a benchmark's own database, never the test suite's; returns its SQLAlchemy URL."""
    conn = await asyncpg.connect(_driverless(admin_url))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return _pg_dsn(admin_url, name).replace("postgresql://", "postgresql+asyncpg://", 1)


async def drop_pg_database(admin_url: str, name: str = PG_BENCH_DB) -> None:
    conn = await asyncpg.connect(_driverless(admin_url))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


async def migrate_and_seed(url: str, seed: Seed) -> None:
    """Apply the migrations, then load one org: reps with accounts and a year of opportunities each."""
    await upgrade_async(url)
    rng = random.Random(20261128)
    stages = [(s.key, s.probability, s.kind) for s in DEFAULT_PIPELINE]
    now = datetime.now(UTC)
    db = Database(Settings(database_url=url, secret_key=SECRET))
    try:
        async with db.sessionmaker() as session:
            for n in range(1, seed.reps + 1):
                spec = UserSpec(org="Bench", email=f"rep{n}@bench.test", password=PASSWORD, roles=("rep",), team="East")
                rep = await create_user(session, spec)
                accounts = [
                    Account(
                        id=uuid.uuid4(), org_id=rep.org_id, owner_id=rep.id, name=f"客户 {n}-{a} Trading Co.",
                        city="上海", lat=31.2 + rng.random() / 10, lon=121.4 + rng.random() / 10, created_by=rep.id,
                    )
                    for a in range(ACCOUNTS_PER_REP)
                ]  # fmt: skip
                session.add_all(accounts)
                await session.flush()
                for i in range(seed.opportunities_per_rep):
                    key, probability, kind = rng.choice(stages)
                    created = now - timedelta(days=rng.uniform(0, 365))
                    competitors = rng.choice(COMPETITORS) if seed.with_competitors else []
                    session.add(
                        Opportunity(
                            id=uuid.uuid4(), org_id=rep.org_id, account_id=rng.choice(accounts).id, owner_id=rep.id,
                            name=f"商机 {n}-{i}: 2027 framework order", stage=key, probability=probability,
                            amount=rng.randrange(10_000, 5_000_000) * 100, currency="CNY",
                            discount_pct=rng.choice([0.0, 5.0, 12.5]),
                            close_date=date.today() + timedelta(days=rng.randrange(1, 180)),
                            promised_date=rng.choice([None, date.today() + timedelta(days=rng.randrange(1, 60))]),
                            competitors=competitors, next_step="Send the revised quote / 发送修订报价",
                            loss_reason="Price" if kind == "lost" else None,
                            forecast_category="closed" if kind != "open" else "pipeline",
                            created_by=rep.id, created_at=created, updated_at=created,
                        )
                    )  # fmt: skip
            await session.commit()
    finally:
        await db.dispose()


@dataclass
class Server:
    """A running app: its base URL and process."""

    base_url: str
    process: subprocess.Popen[bytes]

    def sign_in(self, email: str = BENCH_REP) -> str:
        response = httpx.post(f"{self.base_url}/api/v1/auth/token", json={"email": email, "password": PASSWORD})
        response.raise_for_status()
        return response.json()["access_token"]


@contextmanager
def serve(database_url: str, cpu: int | None) -> Iterator[Server]:
    """``create_app()`` under uvicorn in one worker process (uvloop/httptools when installed), pinned to ``cpu``.

    The listening socket is bound here and handed over by file descriptor, so there is no port race. (Not with
    ``uvicorn --fd``: uvicorn takes such a socket for AF_UNIX, leaves Nagle on, and every answer waits ~40 ms.)
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    var_dir = Path(tempfile.mkdtemp(prefix="fieldloop-bench-var-"))
    env = {
        **os.environ,
        "FIELDLOOP_DATABASE_URL": database_url,
        "FIELDLOOP_SECRET_KEY": SECRET,
        "FIELDLOOP_VAR_DIR": str(var_dir),
    }
    command = [sys.executable, str(Path(__file__).resolve()), str(sock.fileno())]
    if cpu is not None and shutil.which("taskset"):
        command = ["taskset", "-c", str(cpu), *command]
    process = subprocess.Popen(command, cwd=ROOT, env=env, pass_fds=[sock.fileno()], preexec_fn=_die_with_parent)
    sock.close()  # the child holds its own copy
    server = Server(f"http://127.0.0.1:{port}", process)
    try:
        _wait_until_live(server)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(var_dir, ignore_errors=True)


def _die_with_parent() -> None:
    """In the child before exec: a benchmark killed mid-run must not leave its server behind (Linux only)."""
    if sys.platform == "linux":
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _wait_until_live(server: Server, timeout_s: float = 30) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"the server exited with {server.process.returncode}")
        try:
            if httpx.get(f"{server.base_url}/health/live", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError("the server did not come up")


def _main(fd: int) -> None:
    """The server process: the app as production builds it (settings from FIELDLOOP_*), on the inherited socket."""
    import uvicorn

    from api.app import create_app

    config = uvicorn.Config(create_app(), log_level="warning", access_log=False, lifespan="on")
    uvicorn.Server(config).run(sockets=[socket.socket(fileno=fd)])


if __name__ == "__main__":
    _main(int(sys.argv[1]))
