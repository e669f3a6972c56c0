"""The pipeline every new org starts with; admins may change it."""

from __future__ import annotations

import uuid
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.db.models import Stage


class StageSpec(NamedTuple):
    key: str
    name_en: str
    name_zh: str
    probability: int
    kind: str
    needs_evidence: bool


DEFAULT_PIPELINE = (
    StageSpec("lead", "Lead", "线索", 10, "open", False),
    StageSpec("qualified", "Qualified", "需求确认", 20, "open", False),
    StageSpec("solution", "Solution", "方案", 40, "open", True),
    StageSpec("proposal", "Proposal", "报价", 60, "open", True),
    StageSpec("negotiation", "Negotiation", "谈判", 80, "open", True),
    StageSpec("won", "Won", "赢单", 100, "won", True),
    StageSpec("lost", "Lost", "输单", 0, "lost", False),
)


async def ensure_default_pipeline(session: AsyncSession, org_id: uuid.UUID) -> None:
    """Give an org the default stages unless it has stages already."""
    if (await session.execute(select(Stage.id).where(Stage.org_id == org_id).limit(1))).first():
        return
    session.add_all(
        Stage(
            org_id=org_id,
            key=spec.key,
            name_en=spec.name_en,
            name_zh=spec.name_zh,
            position=position,
            probability=spec.probability,
            kind=spec.kind,
            needs_evidence=spec.needs_evidence,
        )
        for position, spec in enumerate(DEFAULT_PIPELINE, start=1)
    )
