"""Each opportunity's list item, rendered to JSON when the opportunity is written, not each time it is read.

Phones page through "my pipeline" far more often than deals change, so the list endpoint reads one stored
JSON text per row (``opportunities.list_item``) instead of nineteen columns it would decode and re-encode. The
item holds every field of ``OpportunityFields`` except ``account_name``, which the list query splices in from the
account, so renaming an account never has to touch its deals: stored without its closing brace, the item is closed
by the query with ``,"account_name":...}`` (splicing at the end costs SQLite no character counting).

Keeping it true:
- every ORM flush that inserts or changes an opportunity renders its item again, after the row's new version and
  ``updated_at`` are known (the ``after_flush`` listener below);
- a database trigger (see the migration) clears the item whenever a listed column is updated without it, so a
  write that bypasses the ORM (the importer's Core updates, a manual fix in SQL) can never leave a stale item;
- rows without an item are rendered from their columns at read time, and ``render_missing`` (a job) fills them in.
"""

from __future__ import annotations

from datetime import date
from itertools import chain
from typing import Any

import msgspec
from sqlalchemy import bindparam, event, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from api.db.models import Opportunity
from api.db.types import ISO_UTC

_encoder = msgspec.json.Encoder()


class Item(msgspec.Struct):
    """One list item without its account's name; every value in the text form the response carries.

    The fields of ``OpportunityFields`` in their order; the staleness trigger (migration 1133f3482046) watches
    exactly these columns.
    """

    id: str
    account_id: str
    name: str
    owner_id: str
    stage: str
    probability: int
    amount: int
    currency: str
    discount_pct: float
    close_date: str | None
    promised_date: str | None
    next_step: str | None
    loss_reason: str | None
    forecast_category: str
    version: int
    created_at: str
    updated_at: str
    competitors: Any


def _day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def render(opportunity: Opportunity) -> str:
    """The stored item of one opportunity: a JSON object left open, which the list query closes with the name."""
    o = opportunity
    item = Item(
        id=str(o.id),
        account_id=str(o.account_id),
        name=o.name,
        owner_id=str(o.owner_id),
        stage=o.stage,
        probability=o.probability,
        amount=o.amount,
        currency=o.currency,
        discount_pct=float(o.discount_pct),
        close_date=_day(o.close_date),
        promised_date=_day(o.promised_date),
        next_step=o.next_step,
        loss_reason=o.loss_reason,
        forecast_category=o.forecast_category,
        version=o.version,
        created_at=o.created_at.strftime(ISO_UTC),
        updated_at=o.updated_at.strftime(ISO_UTC),
        competitors=list(o.competitors or []),
    )
    return _encoder.encode(item)[:-1].decode()


_store = (
    update(Opportunity.__table__)  # type: ignore[arg-type]
    .where(Opportunity.__table__.c.id == bindparam("row_id"))
    # updated_at as it is: left out, the column's onupdate would move it past the instant the item carries.
    .values(list_item=bindparam("item"), updated_at=bindparam("updated_at"))
)


def _after_flush(session: Session, _context: Any) -> None:
    """Render the items of the opportunities this flush wrote, now that their versions and timestamps are final."""
    written = [
        o
        for o in chain(session.new, session.dirty)
        if isinstance(o, Opportunity) and o not in session.deleted and (o in session.new or session.is_modified(o))
    ]
    if written:
        rows = [{"row_id": o.id, "item": render(o), "updated_at": o.updated_at} for o in written]
        # Core, not the ORM: setting the attribute would make the flush dirty again. The statement writes the item
        # itself, so the staleness trigger (which fires only when a listed column changes and the item does not)
        # stays quiet.
        session.connection().execute(_store.execution_options(synchronize_session=False), rows)


def install() -> None:
    """Keep list items current for every ORM session of the process (idempotent)."""
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)


async def render_missing(session: AsyncSession, limit: int = 500) -> int:
    """Render up to ``limit`` missing items (rows written without the ORM, or cleared by the trigger).

    Returns how many were stored. Each write is guarded by the version and ``updated_at`` it was rendered from: a
    row changed in the meantime keeps its NULL for the next run.
    """
    table = Opportunity.__table__
    rows = (
        (await session.execute(select(Opportunity).where(Opportunity.list_item.is_(None)).limit(limit))).scalars().all()
    )
    stored = 0
    for o in rows:
        stmt = (
            update(table)  # type: ignore[arg-type]
            .where(
                table.c.id == o.id,
                table.c.version == o.version,
                table.c.updated_at == o.updated_at,
                table.c.list_item.is_(None),
            )
            .values(list_item=render(o), updated_at=o.updated_at)
        )
        stored += (await session.execute(stmt)).rowcount or 0  # type: ignore[attr-defined]
    return stored
