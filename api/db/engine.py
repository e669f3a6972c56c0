"""The async engine and session factory, plus a fast read path for hot list endpoints."""

from __future__ import annotations

import asyncio
import contextlib
import json
import sqlite3
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

import asyncpg
from sqlalchemy import event, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from api.settings import Settings


def make_engine(url: str) -> AsyncEngine:
    """An engine with SQLite tuned for a web server: WAL, foreign keys, a busy timeout."""
    if url.startswith("sqlite"):
        path = url.split(":///", 1)[1] if ":///" in url else ""
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine.sync_engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        return engine
    return create_async_engine(url, pool_size=10, max_overflow=10, pool_pre_ping=True)


class Reader:
    """Runs hand-written, read-only SQL on the raw driver, for the few endpoints where ORM overhead dominates.

    On SQLite the query runs on a plain sqlite3 connection in the event loop: an indexed read of a page takes
    a fraction of a millisecond, less than handing it to a thread would. On PostgreSQL it uses a small pool of
    asyncpg connections of its own: no pre-ping and no reset on return, which SQLAlchemy's pool does on every
    check-out and which cost more than the query. Queries use ``?`` placeholders, rewritten to ``$n`` for asyncpg.
    """

    def __init__(self, url: str, sqlite_path: Path | None, pool_size: int = 8) -> None:
        self.dialect = "sqlite" if url.startswith("sqlite") else "postgresql"
        self._sqlite_path = sqlite_path
        self._sqlite: sqlite3.Connection | None = None
        self._dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        self._idle: list[Any] = []
        self._opened = 0
        self._pool_size = pool_size
        self._freed = asyncio.Condition()

    async def fetch(self, sql: str, params: Sequence[Any]) -> list[Any]:
        async with self.connection() as conn:
            return await conn.fetch(sql, params)

    async def fetch_utf8(self, sql: str, params: Sequence[Any]) -> list[Any]:
        """As ``fetch``, but SQLite hands text back as UTF-8 bytes, undecoded: for text sent on as it is.

        (PostgreSQL queries ask for bytes themselves, e.g. with ``convert_to``.)
        """
        if self.dialect != "sqlite":
            return await self.fetch(sql, params)
        conn = self._sqlite_conn()
        conn.text_factory = bytes
        try:
            return conn.execute(sql, params).fetchall()
        finally:
            conn.text_factory = str

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[RawConnection]:
        """One connection for several queries in a row (a search runs three or four)."""
        if self.dialect == "sqlite":
            yield _SqliteConnection(self._sqlite_conn())
            return
        conn = await self._acquire()
        try:
            yield _PgConnection(conn)
        except BaseException:
            await _discard(conn)
            conn = None
            raise
        finally:
            await self._release(conn)

    def _sqlite_conn(self) -> sqlite3.Connection:
        if self._sqlite is None:
            if self._sqlite_path is None:
                raise RuntimeError("the fast read path needs a file-backed SQLite database")
            conn = sqlite3.connect(self._sqlite_path, check_same_thread=False, isolation_level=None)
            conn.execute("PRAGMA query_only=1")
            conn.execute("PRAGMA busy_timeout=5000")
            self._sqlite = conn
        return self._sqlite

    async def _acquire(self) -> Any:
        async with self._freed:
            while not self._idle and self._opened >= self._pool_size:
                await self._freed.wait()
            if self._idle:
                return self._idle.pop()
            self._opened += 1
        try:
            conn = await asyncpg.connect(self._dsn)
            for kind in ("json", "jsonb"):  # the same decoding SQLAlchemy's connections do
                await conn.set_type_codec(kind, encoder=json.dumps, decoder=json.loads, schema="pg_catalog")
            return conn
        except BaseException:
            async with self._freed:
                self._opened -= 1
                self._freed.notify()
            raise

    async def _release(self, conn: Any) -> None:
        async with self._freed:
            if conn is None or conn.is_closed() or conn.is_in_transaction():
                self._opened -= 1
                if conn is not None:
                    await _discard(conn)
            else:
                self._idle.append(conn)
            self._freed.notify()

    async def close(self) -> None:
        if self._sqlite is not None:
            self._sqlite.close()
            self._sqlite = None
        idle, self._idle = self._idle, []
        self._opened -= len(idle)
        for conn in idle:
            await _discard(conn)


class RawConnection(Protocol):
    async def fetch(self, sql: str, params: Sequence[Any]) -> list[Any]: ...


class _SqliteConnection:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    async def fetch(self, sql: str, params: Sequence[Any]) -> list[Any]:
        return self._conn.execute(sql, params).fetchall()


class _PgConnection:
    def __init__(self, conn: Any) -> None:
        self._conn = conn

    async def fetch(self, sql: str, params: Sequence[Any]) -> list[Any]:
        return await self._conn.fetch(_dollar_params(sql), *params)


async def _discard(conn: Any) -> None:
    with contextlib.suppress(Exception):
        await conn.close(timeout=2)


@lru_cache(maxsize=512)
def _dollar_params(sql: str) -> str:
    parts = sql.split("?")
    return "".join(part + (f"${i}" if i < len(parts) else "") for i, part in enumerate(parts, start=1))


class Database:
    """What the application holds of its database: engine, session factory and fast reader."""

    def __init__(self, settings: Settings) -> None:
        from api.opportunities import list_item  # here, not at the top: the models import this module's package

        list_item.install()
        self.engine = make_engine(settings.database_url)
        self.sessionmaker = async_sessionmaker(self.engine, expire_on_commit=False, class_=AsyncSession)
        self.reader = Reader(settings.database_url, settings.sqlite_path)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    async def dispose(self) -> None:
        await self.reader.close()
        await self.engine.dispose()
