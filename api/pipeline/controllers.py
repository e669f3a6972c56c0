from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from sqlalchemy.ext.asyncio import AsyncSession

from api.lib.auth import Principal
from api.lib.errors import READ, locale_of
from api.lib.schema import to_out
from api.pipeline import schemas, service


class PipelineController(Controller):
    path = "/api/v1"
    tags = ["pipeline"]  # noqa: RUF012

    @get("/pipeline/stages", summary="The org's stages in order, with default probabilities", responses=READ)
    async def list_stages(
        self, request: Request[Any, Any, Any], db: AsyncSession, principal: Principal
    ) -> schemas.Stages:
        zh = locale_of(request) == "zh-CN"
        rows = await service.stages(db, principal)
        return schemas.Stages(items=[to_out(schemas.Stage, s, name=s.name_zh if zh else s.name_en) for s in rows])

    @get("/products", summary="The org's product catalogue", responses=READ)
    async def list_products(self, db: AsyncSession, principal: Principal) -> schemas.Products:
        return schemas.Products(items=[to_out(schemas.Product, p) for p in await service.products(db, principal)])
