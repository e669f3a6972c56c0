"""Scheduled opportunity work: rendering list items that writes outside the ORM left missing."""

from __future__ import annotations

from api.opportunities.list_item import render_missing
from worker.jobs import JobContext, job

BATCH = 500


@job("opportunities.render_list_items", every_s=60)
async def render_list_items(ctx: JobContext) -> int:
    """Render missing list items, a batch per transaction, while whole batches get stored; returns how many."""
    total = 0
    while True:
        async with ctx.db.sessionmaker() as session:
            rendered = await render_missing(session, BATCH)
            await session.commit()
        total += rendered
        if rendered < BATCH:  # the last batch, or rows that changed meanwhile: the next run takes them
            return total
