"""Training an org's win model from its closed deals, and storing it (one row per org, replaced each time)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.db.models import Opportunity, WinModel
from api.scoring.model import Example, enough, examples_of, fit, holdout_metrics
from api.scoring.records import OrgContext, load_deals, org_context


async def closed_examples(session: AsyncSession, ctx: OrgContext) -> list[Example]:
    """Every closed deal of the org as training examples (see api.scoring.model)."""
    closed = [key for key, kind in ctx.kinds.items() if kind in ("won", "lost")]
    ids = select(Opportunity.id).where(
        Opportunity.org_id == ctx.org.id, Opportunity.stage.in_(closed), Opportunity.deleted_at.is_(None)
    )
    deals = await load_deals(session, ctx, ids, with_inputs=False)
    return [e for d in deals.values() for e in examples_of(d.facts, ctx.kinds)]


async def train_org(session: AsyncSession, org_id: uuid.UUID, now: datetime) -> tuple[str, WinModel | None]:
    """Retrain and store the org's model: ("trained", model), or ("too_few", the model kept so far)."""
    ctx = await org_context(session, org_id, now)
    examples = await closed_examples(session, ctx)
    if not enough(examples):
        return "too_few", ctx.model
    metrics = holdout_metrics(examples)
    fitted = fit(examples)
    model = ctx.model or WinModel(id=uuid.uuid4(), org_id=org_id)
    won = {e.deal_id for e in examples if e.won}
    model.kind = "logistic"
    model.intercept = fitted.intercept
    model.weights = fitted.weights
    model.spec = fitted.spec
    model.training_size = len(examples)
    model.won = len(won)
    model.lost = len({e.deal_id for e in examples} - won)
    model.metrics = metrics
    model.trained_at = now
    if ctx.model is None:
        session.add(model)
    await session.flush()
    return "trained", model
