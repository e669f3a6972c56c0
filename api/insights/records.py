"""Loading the deals and their stage stays an analysis needs, within the caller's reach, as plain numbers.

Instants come back as days since 1970-01-01 (a float) computed by the database, so that 100,000 deals do not cost
100,000 datetime parses.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import ColumnElement, Float, Select, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.db.models import LineItem, Opportunity, Organisation, Stage, StageHistory, User
from api.lib.auth import Principal
from api.lib.scope import visible

EPOCH = date(1970, 1, 1)


def day_number(day: date) -> float:
    return float((day - EPOCH).days)


def epoch_days(column: Any, dialect: str) -> Any:
    """An instant as days since the epoch, in SQL: SQLite keeps ISO text, PostgreSQL timestamptz."""
    if dialect == "sqlite":
        return func.julianday(column) - 2440587.5
    return cast(func.extract("epoch", column), Float) / 86400.0


@dataclass
class Deal:
    id: uuid.UUID
    stage: str
    amount: int
    currency: str
    probability: int
    owner_id: uuid.UUID
    created: float  # days since the epoch
    closed: float | None
    close_date: date | None
    product_id: uuid.UUID | None = None
    stays: list[tuple[str, float, float | None]] = field(default_factory=list)  # (stage, entered, left)


@dataclass(frozen=True)
class Scope:
    """Which deals: created within [start, end] (inclusive dates), of one team or one owner, within reach."""

    start: date | None = None
    end: date | None = None
    team_id: uuid.UUID | None = None
    owner_id: uuid.UUID | None = None


def scoped(stmt: Select[Any], principal: Principal, scope: Scope) -> Select[Any]:
    stmt = visible(stmt, Opportunity, principal)
    if scope.start:
        stmt = stmt.where(Opportunity.created_at >= datetime.combine(scope.start, time.min, tzinfo=UTC))
    if scope.end:
        stmt = stmt.where(Opportunity.created_at <= datetime.combine(scope.end, time.max, tzinfo=UTC))
    if scope.owner_id:
        stmt = stmt.where(Opportunity.owner_id == scope.owner_id)
    if scope.team_id:
        members = select(User.id).where(User.team_id == scope.team_id, User.org_id == principal.org_id)
        stmt = stmt.where(Opportunity.owner_id.in_(members))
    return stmt


async def load_deals(
    session: AsyncSession,
    principal: Principal,
    scope: Scope,
    *,
    with_products: bool = False,
    where: Sequence[ColumnElement[bool]] = (),
) -> list[Deal]:
    """The deals in scope (and matching ``where``) with their stays, oldest stay first."""
    dialect = session.bind.dialect.name
    columns = (
        Opportunity.id, Opportunity.stage, Opportunity.amount, Opportunity.currency, Opportunity.probability,
        Opportunity.owner_id, epoch_days(Opportunity.created_at, dialect), epoch_days(Opportunity.closed_at, dialect),
        Opportunity.close_date,
    )  # fmt: skip
    picked = scoped(select(*columns), principal, scope).where(*where)
    deals = {row[0]: Deal(*row) for row in await session.execute(picked)}
    if not deals:
        return []
    in_scope = scoped(select(Opportunity.id), principal, scope).where(*where).scalar_subquery()
    stays = (
        select(
            StageHistory.opportunity_id,
            StageHistory.stage,
            epoch_days(StageHistory.entered_at, dialect),
            epoch_days(StageHistory.left_at, dialect),
        )
        .where(StageHistory.org_id == principal.org_id, StageHistory.opportunity_id.in_(in_scope))
        .order_by(StageHistory.opportunity_id, StageHistory.entered_at)
    )
    for opportunity_id, stage, entered, left in await session.execute(stays):
        deals[opportunity_id].stays.append((stage, entered, left))
    if with_products:
        lines = (
            select(LineItem.opportunity_id, LineItem.product_id)
            .where(LineItem.org_id == principal.org_id, LineItem.opportunity_id.in_(in_scope))
            .order_by(LineItem.opportunity_id, LineItem.position.desc())
        )
        for opportunity_id, product_id in await session.execute(lines):
            deals[opportunity_id].product_id = product_id  # the first line's product (position 0) wins
    return list(deals.values())


async def org_stages(session: AsyncSession, org_id: uuid.UUID) -> Sequence[Stage]:
    stmt = select(Stage).where(Stage.org_id == org_id).order_by(Stage.position)
    return list((await session.execute(stmt)).scalars())


async def org_currency(session: AsyncSession, org_id: uuid.UUID) -> str:
    return (await session.execute(select(Organisation.currency).where(Organisation.id == org_id))).scalar_one()
