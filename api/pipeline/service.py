"""Reading the org's pipeline and catalogue."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.db.models import Product, Stage
from api.lib.auth import Principal


async def stages(session: AsyncSession, principal: Principal) -> list[Stage]:
    stmt = select(Stage).where(Stage.org_id == principal.org_id).order_by(Stage.position)
    return list((await session.execute(stmt)).scalars())


async def products(session: AsyncSession, principal: Principal) -> list[Product]:
    stmt = select(Product).where(Product.org_id == principal.org_id).order_by(Product.name)
    return list((await session.execute(stmt)).scalars())
