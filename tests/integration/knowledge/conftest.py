"""The demo knowledge base, loaded into the test world's org Acme."""

from __future__ import annotations

import uuid

import pytest

from api.knowledge.demo_articles import article_id, load_demo_articles


@pytest.fixture
async def editor(client, world):
    """The Acme manager, named knowledge editor by the admin (a manager does not write by rank)."""
    granted = await client.post(
        "/api/v1/knowledge/editors", json={"user_id": str(world.manager.user_id)}, headers=world.admin.headers
    )
    assert granted.status_code == 201, granted.text
    return world.manager


@pytest.fixture
async def demo_kb(db, world) -> dict[str, str]:
    """Load the demo articles into Acme; returns the article id of each ``topic:lang`` key."""
    async with db.sessionmaker() as session:
        added = await load_demo_articles(session, world.acme, [world.admin.user_id, world.manager.user_id])
        await session.commit()
    assert added >= 60
    from api.knowledge.demo_content import TOPICS

    return {f"{t.key}:{lang}": str(article_id(world.acme, t.key, lang)) for t in TOPICS for lang in ("zh-CN", "en")}


def topic_ids(kb: dict[str, str], key: str) -> set[str]:
    return {kb[f"{key}:zh-CN"], kb[f"{key}:en"]}


def new_id() -> str:
    return str(uuid.uuid4())
