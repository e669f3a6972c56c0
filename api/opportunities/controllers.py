from __future__ import annotations

import uuid
from typing import Annotated, Any

from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.di import Provide
from litestar.params import HeaderParameter, Parameter
from sqlalchemy.ext.asyncio import AsyncSession

from api.lib.auth import Principal, provide_principal
from api.lib.concurrency import etag, parse_if_match
from api.lib.errors import READ, UPDATE, WRITE
from api.lib.pagination import DEFAULT_LIMIT, Page, check_limit
from api.lib.schema import to_out
from api.opportunities import schemas
from api.opportunities.listing import Filters, OpportunityListing
from api.opportunities.service import OpportunityService

IfMatch = Annotated[str | None, HeaderParameter(name="If-Match", required=False, description="The ETag last read")]


def provide_service(db: AsyncSession, principal: Principal) -> OpportunityService:
    return OpportunityService(db, principal)


async def _full(service: OpportunityService, row: Any, status: int = 200) -> Response[schemas.Opportunity]:
    lines = [to_out(schemas.LineItem, li) for li in await service.line_items(row.id)]
    out = to_out(schemas.Opportunity, row, account_name=await service.account_name(row.account_id), line_items=lines)
    return Response(out, status_code=status, headers={"ETag": etag(out.version)})


class OpportunityController(Controller):
    path = "/api/v1/opportunities"
    tags = ["opportunities"]  # noqa: RUF012
    dependencies = {"opportunities": Provide(provide_service, sync_to_thread=False)}  # noqa: RUF012

    @get("/", summary="Opportunities the caller may see, newest first", responses=READ)
    async def list_opportunities(
        self,
        request: Request[Any, Any, Any],
        limit: int = DEFAULT_LIMIT,
        cursor: str | None = None,
        stage: Annotated[str | None, Parameter(max_length=40)] = None,
        owner_id: uuid.UUID | None = None,
        account_id: uuid.UUID | None = None,
    ) -> Response[Page[schemas.OpportunityFields]]:
        # The caller taken here rather than injected: the hottest read of the app skips the injector's bookkeeping.
        listing = OpportunityListing(request.app.state.db.reader, await provide_principal(request))
        body = await listing.page(check_limit(limit), cursor, Filters(stage, owner_id, account_id))
        return Response(body, media_type="application/json")  # type: ignore[arg-type]

    @post("/", summary="Create an opportunity (the client may choose its id)", responses=WRITE)
    async def create_opportunity(
        self, data: schemas.OpportunityCreate, opportunities: OpportunityService
    ) -> Response[schemas.Opportunity]:
        return await _full(opportunities, await opportunities.create(data), 201)

    @get("/{opportunity_id:uuid}", summary="One opportunity with its line items", responses=READ)
    async def get_opportunity(
        self, opportunity_id: uuid.UUID, opportunities: OpportunityService
    ) -> Response[schemas.Opportunity]:
        return await _full(opportunities, await opportunities.get(opportunity_id))

    @patch("/{opportunity_id:uuid}", summary="Update an opportunity (If-Match required)", responses=UPDATE)
    async def update_opportunity(
        self,
        opportunity_id: uuid.UUID,
        data: schemas.OpportunityUpdate,
        opportunities: OpportunityService,
        if_match: IfMatch = None,
    ) -> Response[schemas.Opportunity]:
        row = await opportunities.update(opportunity_id, parse_if_match(if_match), data)
        return await _full(opportunities, row)

    @delete("/{opportunity_id:uuid}", summary="Delete an opportunity (kept for the audit trail)", responses=WRITE)
    async def delete_opportunity(self, opportunity_id: uuid.UUID, opportunities: OpportunityService) -> None:
        await opportunities.delete(opportunity_id)

    @get("/{opportunity_id:uuid}/history", summary="Stage stays and field changes", responses=READ)
    async def opportunity_history(
        self, opportunity_id: uuid.UUID, opportunities: OpportunityService
    ) -> schemas.History:
        stays, changes = await opportunities.history(opportunity_id)
        return schemas.History(
            stages=[to_out(schemas.StageStay, s) for s in stays],
            changes=[to_out(schemas.FieldChange, c) for c in changes],
        )
