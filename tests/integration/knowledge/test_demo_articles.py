"""The demo knowledge base: every kind, both languages, linked translations, and loading twice adds nothing."""

from collections import Counter

from sqlalchemy import func, select

from api.db.models import KnowledgeArticle, KnowledgeSearchDoc
from api.db.models.knowledge import ARTICLE_KINDS, KnowledgeEditor
from api.knowledge.demo_articles import load_demo_articles


async def test_the_demo_articles_load_once_and_cover_every_kind(db, world, demo_kb):
    async with db.sessionmaker() as session:
        assert await load_demo_articles(session, world.acme, [world.admin.user_id]) == 0
        await session.commit()
        rows = list(
            (await session.execute(select(KnowledgeArticle).where(KnowledgeArticle.org_id == world.acme))).scalars()
        )
        editors = set(
            (
                await session.execute(select(KnowledgeEditor.user_id).where(KnowledgeEditor.org_id == world.acme))
            ).scalars()
        )
        indexed = await session.scalar(
            select(func.count()).select_from(KnowledgeSearchDoc).where(KnowledgeSearchDoc.org_id == world.acme)
        )
    assert len(rows) == len(demo_kb) >= 60
    assert indexed == len(rows)
    assert Counter(r.lang for r in rows) == {"zh-CN": len(rows) // 2, "en": len(rows) // 2}
    assert {r.kind for r in rows} == set(ARTICLE_KINDS)
    groups = Counter(r.translation_group_id for r in rows)
    assert set(groups.values()) == {2}
    assert {r.status for r in rows} == {"published", "draft"}
    assert all(r.tags and r.summary and r.body for r in rows)
    assert {r.owner_id for r in rows} == {world.admin.user_id, world.manager.user_id}
    # The authors keep their articles: the manager is named editor (the admin writes anyway).
    assert editors == {world.manager.user_id}
