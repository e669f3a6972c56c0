from __future__ import annotations

import uuid
from typing import Annotated

from litestar import Controller, Response, get, patch, post
from litestar.di import Provide
from litestar.params import HeaderParameter, Parameter
from sqlalchemy.ext.asyncio import AsyncSession

from api.accounts import schemas
from api.accounts.service import AccountService
from api.lib.auth import Principal
from api.lib.concurrency import etag, parse_if_match
from api.lib.errors import READ, UPDATE, WRITE
from api.lib.pagination import DEFAULT_LIMIT, Page, check_limit
from api.lib.schema import to_out

IfMatch = Annotated[str | None, HeaderParameter(name="If-Match", required=False, description="The ETag last read")]


def provide_service(db: AsyncSession, principal: Principal) -> AccountService:
    return AccountService(db, principal)


def _account(row: object, status: int = 200) -> Response[schemas.Account]:
    out = to_out(schemas.Account, row)
    return Response(out, status_code=status, headers={"ETag": etag(out.version)})


def _contact(row: object, status: int = 200) -> Response[schemas.Contact]:
    out = to_out(schemas.Contact, row)
    return Response(out, status_code=status, headers={"ETag": etag(out.version)})


class AccountController(Controller):
    path = "/api/v1"
    tags = ["accounts"]  # noqa: RUF012
    dependencies = {"accounts": Provide(provide_service, sync_to_thread=False)}  # noqa: RUF012

    @get("/accounts", summary="Accounts the caller may see, newest first", responses=READ)
    async def list_accounts(
        self,
        accounts: AccountService,
        limit: int = DEFAULT_LIMIT,
        cursor: str | None = None,
        q: Annotated[str | None, Parameter(max_length=100)] = None,
        owner_id: uuid.UUID | None = None,
    ) -> Page[schemas.Account]:
        rows, next_cursor = await accounts.list(check_limit(limit), cursor, q, owner_id)
        return Page(items=[to_out(schemas.Account, r) for r in rows], next_cursor=next_cursor)

    @post("/accounts", summary="Create an account (the client may choose its id)", responses=WRITE)
    async def create_account(self, data: schemas.AccountCreate, accounts: AccountService) -> Response[schemas.Account]:
        return _account(await accounts.create(data), 201)

    @get("/accounts/{account_id:uuid}", summary="One account", responses=READ)
    async def get_account(self, account_id: uuid.UUID, accounts: AccountService) -> Response[schemas.Account]:
        return _account(await accounts.get(account_id))

    @patch("/accounts/{account_id:uuid}", summary="Update an account (If-Match required)", responses=UPDATE)
    async def update_account(
        self, account_id: uuid.UUID, data: schemas.AccountUpdate, accounts: AccountService, if_match: IfMatch = None
    ) -> Response[schemas.Account]:
        return _account(await accounts.update(account_id, parse_if_match(if_match), data))

    @get("/accounts/{account_id:uuid}/contacts", summary="The account's contacts", responses=READ)
    async def list_contacts(self, account_id: uuid.UUID, accounts: AccountService) -> Page[schemas.Contact]:
        return Page(items=[to_out(schemas.Contact, c) for c in await accounts.contacts(account_id)])

    @post("/accounts/{account_id:uuid}/contacts", summary="Add a contact to an account", responses=WRITE)
    async def create_contact(
        self, account_id: uuid.UUID, data: schemas.ContactCreate, accounts: AccountService
    ) -> Response[schemas.Contact]:
        return _contact(await accounts.add_contact(account_id, data), 201)

    @get("/contacts/{contact_id:uuid}", summary="One contact", responses=READ)
    async def get_contact(self, contact_id: uuid.UUID, accounts: AccountService) -> Response[schemas.Contact]:
        return _contact(await accounts.get_contact(contact_id))

    @patch("/contacts/{contact_id:uuid}", summary="Update a contact (If-Match required)", responses=UPDATE)
    async def update_contact(
        self, contact_id: uuid.UUID, data: schemas.ContactUpdate, accounts: AccountService, if_match: IfMatch = None
    ) -> Response[schemas.Contact]:
        return _contact(await accounts.update_contact(contact_id, parse_if_match(if_match), data))
