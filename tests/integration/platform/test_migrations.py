"""Alembic is the only way the schema is made, and what it makes is exactly what the models describe."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.ext.asyncio import create_async_engine

from api.db.base import Base
from api.db.migrations import include_object


async def test_migrated_schema_has_no_drift_from_the_models(settings):
    engine = create_async_engine(settings.database_url)

    def diff(connection):
        context = MigrationContext.configure(connection, opts={"compare_type": True, "include_object": include_object})
        return compare_metadata(context, Base.metadata)

    async with engine.connect() as conn:
        differences = await conn.run_sync(diff)
    await engine.dispose()
    assert differences == []
