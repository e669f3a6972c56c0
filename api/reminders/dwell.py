"""Per-stage 75th-percentile dwell for the stuck-deal reminder: the insights funnel's figure, where it is trusted.

The percentile itself comes from ``api.insights.funnel.p75_dwell_by_stage`` (the funnel's definition: finished
stays, linear interpolation between closest ranks), so a reminder and the funnel report never disagree. What is
added here is a minimum number of finished stays, below which a stage's "usual" dwell means nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.db.models import StageHistory
from api.insights.funnel import p75_dwell_by_stage

# Fewer finished stays than this say nothing reliable about a stage's usual dwell: no reminder.
MIN_DWELL_SAMPLES = 4


async def stage_p75_dwell(
    session: AsyncSession, org_ids: Sequence[uuid.UUID], min_samples: int = MIN_DWELL_SAMPLES
) -> dict[tuple[uuid.UUID, str], timedelta]:
    """(org, stage) → the 75th percentile of finished stays in that stage, for stages with enough of them."""
    if not org_ids:
        return {}
    counts = await session.execute(
        select(StageHistory.org_id, StageHistory.stage, func.count())
        .where(StageHistory.org_id.in_(org_ids), StageHistory.left_at.is_not(None))
        .group_by(StageHistory.org_id, StageHistory.stage)
    )
    enough = {(org_id, stage) for org_id, stage, n in counts if n >= min_samples}
    result = {}
    for org_id in sorted({org_id for org_id, _ in enough}, key=str):
        for stage, days in (await p75_dwell_by_stage(session, org_id)).items():
            if (org_id, stage) in enough:
                # Whole seconds: the database's day arithmetic carries float noise far below that.
                result[(org_id, stage)] = timedelta(seconds=round(days * 86400))
    return result
