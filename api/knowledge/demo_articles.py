"""The demo organisation's knowledge base: bilingual articles of every kind, loaded idempotently.

Each topic is written in Chinese and in English; the two are linked as translations. Product, industry and
competitor values are the demo catalogue's own (SKUs, ``Account.industry`` labels, ``Opportunity.competitors``
entries), so suggestions find them for demo deals. The text lives in demo_content.py.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.db.models import KnowledgeArticle, User
from api.db.models.knowledge import KnowledgeEditor
from api.db.types import utcnow
from api.knowledge.demo_content import TOPICS, Topic
from api.knowledge.index import SearchIndex

NAMESPACE = uuid.UUID("3b0f3a3e-8f64-5b8e-9d8c-6a1d2c4b7e90")


def article_id(org_id: uuid.UUID, key: str, lang: str) -> uuid.UUID:
    """The id of one language of one topic in one org: stable, so a second load recognises the first."""
    return uuid.uuid5(NAMESPACE, f"{org_id}:{key}:{lang}")


def group_id(org_id: uuid.UUID, key: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, f"{org_id}:{key}")


def _articles(org_id: uuid.UUID, topic: Topic, owner_id: uuid.UUID) -> list[KnowledgeArticle]:
    now = utcnow()
    changed = now - timedelta(days=topic.age_days)
    out = []
    for lang, text in (("zh-CN", topic.zh), ("en", topic.en)):
        out.append(
            KnowledgeArticle(
                id=article_id(org_id, topic.key, lang),
                org_id=org_id,
                owner_id=owner_id,
                created_by=owner_id,
                title=text.title,
                summary=text.summary,
                body=text.body.strip() + "\n",
                lang=lang,
                kind=topic.kind,
                status=topic.status,
                tags=list(text.tags),
                product=topic.product,
                industry=topic.industry,
                competitor=topic.competitor,
                stage=topic.stage,
                translation_group_id=group_id(org_id, topic.key),
                published_at=changed if topic.status == "published" else None,
                created_at=changed - timedelta(days=30),
                updated_at=changed,
            )
        )
    return out


async def name_editors(session: AsyncSession, org_id: uuid.UUID, user_ids: list[uuid.UUID]) -> None:
    """Make the demo's authors knowledge editors (admins write anyway), so that they can keep their articles."""
    granted = select(KnowledgeEditor.user_id).where(KnowledgeEditor.org_id == org_id)
    have = set((await session.execute(granted)).scalars())
    users = (await session.execute(select(User).where(User.org_id == org_id, User.id.in_(user_ids)))).scalars()
    for user in users:
        if user.id not in have and "admin" not in user.roles:
            session.add(KnowledgeEditor(org_id=org_id, user_id=user.id, granted_by=None, granted_at=utcnow()))
    await session.flush()


async def load_demo_articles(session: AsyncSession, org_id: uuid.UUID, author_ids: list[uuid.UUID]) -> int:
    """Add the demo articles an org lacks, indexed, and name their authors editors; returns how many were added
    (0 on a second load)."""
    if not author_ids:
        raise ValueError("the demo articles need at least one author")
    await name_editors(session, org_id, author_ids)
    existing = set(
        (await session.execute(select(KnowledgeArticle.id).where(KnowledgeArticle.org_id == org_id))).scalars()
    )
    index = SearchIndex(session)
    added = 0
    for position, topic in enumerate(TOPICS):
        owner_id = author_ids[position % len(author_ids)]
        fresh = [a for a in _articles(org_id, topic, owner_id) if a.id not in existing]
        if not fresh:
            continue
        seq = await index.next_seq(org_id)
        for article in fresh:
            article.change_seq = seq
            session.add(article)
        await session.flush()
        for article in fresh:
            await index.put(article)
        added += len(fresh)
    return added


def demo_keys() -> list[str]:
    """Every ``topic:lang`` key of the demo articles (the judged query set names articles this way)."""
    return [f"{t.key}:{lang}" for t in TOPICS for lang in ("zh-CN", "en")]
