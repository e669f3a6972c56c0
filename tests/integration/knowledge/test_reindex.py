"""`fieldloop knowledge reindex` rebuilds a lost or damaged index from the articles."""

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import delete, text

from api.db.models import KnowledgeSearchDoc, KnowledgeTerm
from tests.integration.knowledge.conftest import topic_ids
from tests.integration.knowledge.helpers import search_ids


def fieldloop(*args: str, url: str, var: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "FIELDLOOP_DATABASE_URL": url, "FIELDLOOP_VAR_DIR": str(var)}
    return subprocess.run(
        [sys.executable, "-m", "api.cli", *args], env=env, capture_output=True, text=True, timeout=120
    )


async def test_reindex_restores_a_wiped_index(client, db, world, demo_kb, settings, tmp_path):
    async with db.sessionmaker() as session:
        if db.dialect == "sqlite":
            await session.execute(text("DELETE FROM knowledge_fts"))
        await session.execute(delete(KnowledgeSearchDoc))
        await session.execute(delete(KnowledgeTerm))
        await session.commit()
    assert await search_ids(client, world.rep_a, "折扣审批") == []

    done = fieldloop("knowledge", "reindex", "--org", "Acme", url=settings.database_url, var=tmp_path)
    assert done.returncode == 0, done.stderr
    assert f"Acme: {len(demo_kb)} articles indexed" in done.stdout
    top = await search_ids(client, world.rep_a, "折扣审批", lang="zh-CN", limit=3)
    assert topic_ids(demo_kb, "policy-discount-approval") & set(top)

    unknown = fieldloop("knowledge", "reindex", "--org", "Nobody", url=settings.database_url, var=tmp_path)
    assert unknown.returncode == 2 and "Nobody" in unknown.stderr
    everyone = fieldloop("knowledge", "reindex", url=settings.database_url, var=tmp_path)
    assert everyone.returncode == 0 and "Other: 0 articles indexed" in everyone.stdout
