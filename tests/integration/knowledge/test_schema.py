"""The knowledge tables as migrated match the models, FTS5's own tables aside (see models.knowledge.include_name).

tests/integration/platform/test_migrations.py compares the whole schema; on SQLite it needs the same
``include_name`` filter, or FTS5's virtual table and shadow tables count as drift.
"""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import create_async_engine

from api.db.base import Base
from api.db.models.knowledge import include_name


async def test_knowledge_schema_has_no_drift_beyond_fts5(settings):
    engine = create_async_engine(settings.database_url)

    def diff(connection):
        context = MigrationContext.configure(connection, opts={"compare_type": True, "include_name": include_name})
        return [d for d in compare_metadata(context, Base.metadata) if "knowledge" in str(d)]

    def tables(connection):
        return set(inspect(connection).get_table_names())

    async with engine.connect() as conn:
        differences = await conn.run_sync(diff)
        names = await conn.run_sync(tables)
    await engine.dispose()
    assert differences == []
    assert ("knowledge_fts" in names) == settings.is_sqlite


def test_the_filter_hides_fts5_tables_only():
    for name in ("knowledge_fts", "knowledge_fts_data", "knowledge_fts_idx", "knowledge_fts_config"):
        assert include_name(name, "table", {}) is False
    for name in ("knowledge_articles", "knowledge_search", "knowledge_terms", "accounts"):
        assert include_name(name, "table", {}) is True
    assert include_name("knowledge_fts", "column", {}) is True
