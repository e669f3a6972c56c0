"""Test fixtures: a migrated database per backend, a clean one per test, the app and signed-in callers.

The suite runs on SQLite always and on PostgreSQL when FIELDLOOP_TEST_DATABASE_URL is set. Schemas are
created by Alembic only. SQLite tests each get a copy of a migrated template file; PostgreSQL tests share
one migrated database whose tables are truncated after each test.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import create_async_engine

from api.app import create_app
from api.auth.passwords import hash_password
from api.db.engine import Database
from api.db.migrations import upgrade, upgrade_async
from api.db.models import Account, Organisation, Team, User
from api.orgs.service import ensure_org
from api.settings import Settings

PG_URL = os.environ.get("FIELDLOOP_TEST_DATABASE_URL")
REDIS_URL = os.environ.get("FIELDLOOP_TEST_REDIS_URL")
IN_CI = os.environ.get("CI", "").lower() == "true"
PASSWORD = "correct horse battery"
_PASSWORD_HASH = hash_password(PASSWORD)
SECRET = "test-secret-" + "x" * 40


def pytest_sessionstart(session: pytest.Session) -> None:
    if IN_CI and not (PG_URL and REDIS_URL):
        pytest.exit("CI=true needs FIELDLOOP_TEST_DATABASE_URL and FIELDLOOP_TEST_REDIS_URL: parts would be skipped", 3)


def _backends() -> list[object]:
    pg = pytest.param(
        "postgresql",
        marks=pytest.mark.skipif(
            not PG_URL,
            reason="PostgreSQL tests need FIELDLOOP_TEST_DATABASE_URL=postgresql+asyncpg://user@127.0.0.1:5432/test",
        ),
    )
    return ["sqlite", pg]


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    upgrade(f"sqlite+aiosqlite:///{path}")
    return path


_pg_url: str | None = None


def _pg_database(url: str, name: str) -> str:
    return make_url(url).set(database=name).render_as_string(hide_password=False)


async def postgres_ready() -> str:
    """A database of this run's own on the given server, migrated once; dropped when the run ends.

    Its own database keeps parallel runs (and a developer's benchmark) from truncating each other's tables.
    """
    global _pg_url
    assert PG_URL
    if _pg_url is None:
        name = f"fieldloop_test_{os.getpid()}"
        engine = create_async_engine(PG_URL, isolation_level="AUTOCOMMIT")
        async with engine.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            await conn.execute(text(f'CREATE DATABASE "{name}"'))
        await engine.dispose()
        await upgrade_async(_pg_database(PG_URL, name))
        _pg_url = _pg_database(PG_URL, name)
    return _pg_url


def pytest_sessionfinish(session: pytest.Session) -> None:
    if _pg_url is None or PG_URL is None:
        return
    import asyncio

    async def drop() -> None:
        engine = create_async_engine(PG_URL, isolation_level="AUTOCOMMIT")
        async with engine.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(_pg_url).database}" WITH (FORCE)'))
        await engine.dispose()

    asyncio.run(drop())


async def _truncate_all(url: str) -> None:
    engine = create_async_engine(url)
    async with engine.begin() as conn:
        rows = await conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'"))
        names = ", ".join(f'"{name}"' for (name,) in rows if name != "alembic_version")
        if names:
            await conn.execute(text(f"TRUNCATE {names} CASCADE"))
    await engine.dispose()


@pytest.fixture(params=_backends())
async def settings(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Settings]:
    """Settings for one test, on a clean, migrated database of the parametrised backend."""
    if request.param == "sqlite":
        db_path = tmp_path / "fieldloop.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), db_path)
        url = f"sqlite+aiosqlite:///{db_path}"
    else:
        url = await postgres_ready()
    yield Settings(database_url=url, secret_key=SECRET, var_dir=tmp_path / "var", principal_cache_ttl_s=0.0)
    if request.param != "sqlite":
        await _truncate_all(url)


@pytest.fixture
async def db(settings: Settings) -> AsyncIterator[Database]:
    database = Database(settings)
    yield database
    await database.dispose()


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[AsyncTestClient]:
    async with AsyncTestClient(app=create_app(settings)) as test_client:
        yield test_client


@dataclass
class Caller:
    """A signed-in user and the headers that act as them."""

    user_id: uuid.UUID
    org_id: uuid.UUID
    email: str
    token: str
    refresh_token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@dataclass
class World:
    """Two orgs: in Acme, two teams (east: manager, rep_a, rep_b; west: rep_c) and an admin; in Other, one rep."""

    acme: uuid.UUID
    other: uuid.UUID
    admin: Caller
    manager: Caller
    rep_a: Caller
    rep_b: Caller
    rep_c: Caller
    outsider: Caller
    account_a: uuid.UUID
    account_b: uuid.UUID
    account_c: uuid.UUID
    account_outsider: uuid.UUID


async def _add_user(
    session, org: Organisation, email: str, roles: list[str], team: Team | None = None, manager: User | None = None
) -> User:
    user = User(
        id=uuid.uuid4(), org_id=org.id, team_id=team.id if team else None, manager_id=manager.id if manager else None,
        email=email, name=email.split("@")[0], password_hash=_PASSWORD_HASH, roles=roles, locale="en",
        timezone="Asia/Shanghai",
    )  # fmt: skip
    session.add(user)
    await session.flush()
    return user


async def _account(session, org: Organisation, owner: User, name: str) -> uuid.UUID:
    account = Account(id=uuid.uuid4(), org_id=org.id, owner_id=owner.id, name=name, lat=31.23, lon=121.47)
    session.add(account)
    await session.flush()
    return account.id


async def sign_in(client: AsyncTestClient, email: str, password: str = PASSWORD) -> Caller:
    response = await client.post("/api/v1/auth/token", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    pair = response.json()
    me = (await client.get("/api/v1/me", headers={"Authorization": f"Bearer {pair['access_token']}"})).json()
    return Caller(uuid.UUID(me["id"]), uuid.UUID(me["org_id"]), email, pair["access_token"], pair["refresh_token"])


@pytest.fixture
async def world(db: Database, client: AsyncTestClient) -> World:
    async with db.sessionmaker() as session:
        acme = await ensure_org(session, "Acme")
        other = await ensure_org(session, "Other")
        east = Team(id=uuid.uuid4(), org_id=acme.id, name="East")
        west = Team(id=uuid.uuid4(), org_id=acme.id, name="West")
        session.add_all([east, west])
        await session.flush()
        await _add_user(session, acme, "admin@acme.test", ["admin"])
        manager = await _add_user(session, acme, "manager@acme.test", ["manager", "approver"], east)
        rep_a = await _add_user(session, acme, "a@acme.test", ["rep"], east, manager)
        rep_b = await _add_user(session, acme, "b@acme.test", ["rep"], east, manager)
        rep_c = await _add_user(session, acme, "c@acme.test", ["rep"], west)
        outsider = await _add_user(session, other, "x@other.test", ["rep", "admin"])
        accounts = [
            await _account(session, acme, rep_a, "上海明珠制造"),
            await _account(session, acme, rep_b, "Pudong Logistics"),
            await _account(session, acme, rep_c, "West Lake Foods"),
            await _account(session, other, outsider, "Other Co"),
        ]
        await session.commit()
    callers = [
        await sign_in(client, u)
        for u in ("admin@acme.test", "manager@acme.test", "a@acme.test", "b@acme.test", "c@acme.test", "x@other.test")
    ]
    return World(acme.id, other.id, *callers, *accounts)


REP_TIMEZONE = "Asia/Shanghai"


def rep_today() -> date:
    """Today where the test users are: a rep's dates (close dates, plans) are in their own time zone, not UTC."""
    return datetime.now(ZoneInfo(REP_TIMEZONE)).date()
