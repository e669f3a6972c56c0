"""The async engine and session factory, plus a fast read path for hot list endpoints."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import event
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
    a fraction of a millisecond, less than handing it to a thread would. On PostgreSQL it borrows an asyncpg
    connection from the engine's pool. Queries use ``?`` placeholders, rewritten to ``$n`` for asyncpg.
    """

    def __init__(self, engine: AsyncEngine, sqlite_path: Path | None) -> None:
        self.engine = engine
        self.dialect = engine.dialect.name
        self._sqlite_path = sqlite_path
        self._sqlite: sqlite3.Connection | None = None
        self._pg_sql: dict[str, str] = {}

    async def fetch(self, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
        if self.dialect == "sqlite":
            return self._sqlite_conn().execute(sql, params).fetchall()
        pg_sql = self._pg_sql.get(sql) or self._pg_sql.setdefault(sql, _dollar_params(sql))
        async with self.engine.connect() as conn:
            raw = await conn.get_raw_connection()
            return await raw.driver_connection.fetch(pg_sql, *params)  # type: ignore[union-attr]

    def _sqlite_conn(self) -> sqlite3.Connection:
        if self._sqlite is None:
            if self._sqlite_path is None:
                raise RuntimeError("the fast read path needs a file-backed SQLite database")
            conn = sqlite3.connect(self._sqlite_path, check_same_thread=False, isolation_level=None)
            conn.execute("PRAGMA query_only=1")
            conn.execute("PRAGMA busy_timeout=5000")
            self._sqlite = conn
        return self._sqlite

    def close(self) -> None:
        if self._sqlite is not None:
            self._sqlite.close()
            self._sqlite = None


def _dollar_params(sql: str) -> str:
    parts = sql.split("?")
    return "".join(part + (f"${i}" if i < len(parts) else "") for i, part in enumerate(parts, start=1))


class Database:
    """What the application holds of its database: engine, session factory and fast reader."""

    def __init__(self, settings: Settings) -> None:
        self.engine = make_engine(settings.database_url)
        self.sessionmaker = async_sessionmaker(self.engine, expire_on_commit=False, class_=AsyncSession)
        self.reader = Reader(self.engine, settings.sqlite_path)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    async def dispose(self) -> None:
        self.reader.close()
        await self.engine.dispose()
