"""Deal priority raised by competitor activity, readable by the rest of the app.

``boost`` is the number of distinct competitor signals on the deal (competitors added, activities naming one)
logged in the last 30 days; 0 is the normal priority. The competitor job recomputes it, so it also falls back
as signals age.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.db.models import DealPriority, Reminder

BOOST_WINDOW = timedelta(days=30)


async def recompute(session: AsyncSession, now: datetime) -> int:
    """Bring every deal's boost up to date at ``now``; returns how many rows changed."""
    since = now - BOOST_WINDOW
    rows = await session.execute(
        select(Reminder.opportunity_id, Reminder.org_id, Reminder.dedup_key, Reminder.due_at, Reminder.params)
        .where(Reminder.kind == "competitor", Reminder.due_at > since, Reminder.due_at <= now)
        .order_by(Reminder.due_at, Reminder.dedup_key)
    )
    signals: dict[uuid.UUID, dict[str, datetime]] = defaultdict(dict)
    names: dict[uuid.UUID, list[str]] = defaultdict(list)
    orgs: dict[uuid.UUID, uuid.UUID] = {}
    for opportunity_id, org_id, key, due_at, params in rows:
        # One signal may have reminded two people (an owner change): it counts once.
        signals[opportunity_id][key] = due_at
        orgs[opportunity_id] = org_id
        for name in (params or {}).get("competitors", []):
            if name not in names[opportunity_id]:
                names[opportunity_id].append(name)
    current = {
        p.opportunity_id: p
        for p in (
            await session.execute(
                select(DealPriority).where(or_(DealPriority.boost > 0, DealPriority.opportunity_id.in_(list(signals))))
            )
        ).scalars()
    }
    changed = 0
    for opportunity_id in set(current) | set(signals):
        seen = signals.get(opportunity_id, {})
        boost, last = len(seen), max(seen.values(), default=None)
        row = current.get(opportunity_id)
        if row is None:
            session.add(
                DealPriority(
                    opportunity_id=opportunity_id,
                    org_id=orgs[opportunity_id],
                    boost=boost,
                    competitors=names[opportunity_id],
                    last_signal_at=last,
                    updated_at=now,
                )
            )
            changed += 1
        elif (row.boost, row.competitors, row.last_signal_at) != (boost, names.get(opportunity_id, []), last):
            row.boost, row.competitors, row.updated_at = boost, list(names.get(opportunity_id, [])), now
            row.last_signal_at = last if last is not None else row.last_signal_at
            changed += 1
    await session.flush()
    return changed


async def boosts(
    session: AsyncSession, org_id: uuid.UUID, opportunity_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, int]:
    """The boost of each given deal of an org (0 for those without one): for lists that want to rank by it."""
    ids = list(opportunity_ids)
    result = dict.fromkeys(ids, 0)
    if ids:
        rows = await session.execute(
            select(DealPriority.opportunity_id, DealPriority.boost).where(
                DealPriority.org_id == org_id, DealPriority.opportunity_id.in_(ids)
            )
        )
        result.update({opportunity_id: boost for opportunity_id, boost in rows})
    return result
