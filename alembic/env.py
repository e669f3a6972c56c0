"""Alembic's environment: async, against FIELDLOOP_DATABASE_URL unless the caller passes a URL."""

from __future__ import annotations

import asyncio

from sqlalchemy.engine import Connection

import api.db.models  # noqa: F401  (registers every table)
from alembic import context
from api.db.base import Base
from api.db.engine import make_engine
from api.db.migrations import include_object
from api.settings import Settings

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    return config.attributes.get("url") or Settings.from_env().database_url


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_object=include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _online() -> None:
    engine = make_engine(_url())
    async with engine.connect() as connection:
        await connection.run_sync(_run)
        await connection.commit()
    await engine.dispose()


if context.is_offline_mode():
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    asyncio.run(_online())
