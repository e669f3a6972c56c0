"""Contracts over HTTP: per account, updated with If-Match, renewed, with usage readings and the tier ladder."""

from __future__ import annotations

import uuid
from typing import Annotated

from litestar import Controller, Response, get, patch, post, put
from litestar.di import Provide
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import HeaderParameter
from sqlalchemy.ext.asyncio import AsyncSession

from api.contracts import schemas
from api.contracts.service import ContractService
from api.lib.auth import Principal
from api.lib.concurrency import etag, parse_if_match
from api.lib.errors import READ, UPDATE, WRITE, problems
from api.lib.pagination import Page
from api.lib.schema import to_out

IfMatch = Annotated[str | None, HeaderParameter(name="If-Match", required=False, description="The ETag last read")]
ADMIN_WRITE = problems(401, 403, 404, 409, 413, 422)
# A reading for a month already recorded replaces it: 200 rather than 201.
UPSERT = {**WRITE, 200: ResponseSpec(data_container=schemas.Usage, description="The month's reading, replaced")}


def provide_service(db: AsyncSession, principal: Principal) -> ContractService:
    return ContractService(db, principal)


def _contract(row: object, status: int = 200) -> Response[schemas.Contract]:
    out = to_out(schemas.Contract, row)
    return Response(out, status_code=status, headers={"ETag": etag(out.version)})


class ContractController(Controller):
    path = "/api/v1"
    tags = ["contracts"]  # noqa: RUF012
    dependencies = {"contracts": Provide(provide_service, sync_to_thread=False)}  # noqa: RUF012

    @get("/accounts/{account_id:uuid}/contracts", summary="The account's contracts, oldest start first", responses=READ)
    async def list_contracts(self, account_id: uuid.UUID, contracts: ContractService) -> Page[schemas.Contract]:
        rows = await contracts.list_for_account(account_id)
        return Page(items=[to_out(schemas.Contract, r) for r in rows])

    @post("/accounts/{account_id:uuid}/contracts", summary="Record a contract of an account", responses=WRITE)
    async def create_contract(
        self, account_id: uuid.UUID, data: schemas.ContractCreate, contracts: ContractService
    ) -> Response[schemas.Contract]:
        return _contract(await contracts.create(account_id, data), 201)

    @get("/contracts/{contract_id:uuid}", summary="One contract", responses=READ)
    async def get_contract(self, contract_id: uuid.UUID, contracts: ContractService) -> Response[schemas.Contract]:
        return _contract(await contracts.get(contract_id))

    @patch(
        "/contracts/{contract_id:uuid}",
        summary="Change a contract (If-Match required); each changed term is recorded as an amendment",
        responses=UPDATE,
    )
    async def update_contract(
        self, contract_id: uuid.UUID, data: schemas.ContractUpdate, contracts: ContractService, if_match: IfMatch = None
    ) -> Response[schemas.Contract]:
        return _contract(await contracts.update(contract_id, parse_if_match(if_match), data))

    @get("/contracts/{contract_id:uuid}/amendments", summary="Each change of the contract's terms", responses=READ)
    async def list_amendments(self, contract_id: uuid.UUID, contracts: ContractService) -> schemas.Amendments:
        rows = await contracts.amendments(contract_id)
        return schemas.Amendments(items=[to_out(schemas.Amendment, r) for r in rows])

    @post(
        "/contracts/{contract_id:uuid}/renewal",
        summary="Renew a contract: a new contract that renews it, the old one marked renewed",
        responses=WRITE,
    )
    async def renew_contract(
        self, contract_id: uuid.UUID, data: schemas.RenewalCreate, contracts: ContractService
    ) -> Response[schemas.Renewal]:
        old, new = await contracts.renew(contract_id, data)
        out = schemas.Renewal(renewed=to_out(schemas.Contract, old), renewal=to_out(schemas.Contract, new))
        return Response(out, status_code=201, headers={"ETag": etag(new.version)})

    @post(
        "/accounts/{account_id:uuid}/usage",
        summary="Record a month's usage of a product (replaces that month's reading)",
        responses=UPSERT,
    )
    async def record_usage(
        self, account_id: uuid.UUID, data: schemas.UsageRecord, contracts: ContractService
    ) -> Response[schemas.Usage]:
        reading, created = await contracts.record_usage(account_id, data)
        return Response(to_out(schemas.Usage, reading), status_code=201 if created else 200)

    @get("/accounts/{account_id:uuid}/usage", summary="The account's monthly usage readings", responses=READ)
    async def list_usage(
        self, account_id: uuid.UUID, contracts: ContractService, product_id: uuid.UUID | None = None
    ) -> schemas.UsageList:
        rows = await contracts.usage(account_id, product_id)
        return schemas.UsageList(items=[to_out(schemas.Usage, r) for r in rows])

    @put(
        "/products/{product_id:uuid}/next-tier",
        summary="Name the product a customer moves up to from this one (admins)",
        responses=ADMIN_WRITE,
    )
    async def set_next_tier(
        self, product_id: uuid.UUID, data: schemas.NextTier, contracts: ContractService
    ) -> schemas.ProductTier:
        return to_out(schemas.ProductTier, await contracts.set_next_tier(product_id, data.next_tier_id))
