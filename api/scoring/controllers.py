"""Scoring over HTTP: scores, buying signals, invoices, the win model and the org's LTV/CAC settings."""

from __future__ import annotations

import uuid
from typing import Annotated

from litestar import Controller, Response, get, patch, post
from litestar.di import Provide
from litestar.params import HeaderParameter, Parameter
from sqlalchemy.ext.asyncio import AsyncSession

from api.lib.auth import Principal
from api.lib.concurrency import etag, parse_if_match
from api.lib.errors import READ, UPDATE, WRITE, problems
from api.lib.pagination import DEFAULT_LIMIT, Page, check_limit
from api.lib.schema import to_out
from api.scoring import schemas
from api.scoring.service import ScoringService

IfMatch = Annotated[str | None, HeaderParameter(name="If-Match", required=False, description="The ETag last read")]
ADMIN_READ = problems(401, 403, 422)
ADMIN_WRITE = problems(401, 403, 409, 413, 422)
ADMIN_UPDATE = problems(401, 403, 409, 412, 413, 422, 428)


def provide_service(db: AsyncSession, principal: Principal) -> ScoringService:
    return ScoringService(db, principal)


def _invoice(row: object, status: int = 200) -> Response[schemas.Invoice]:
    out = to_out(schemas.Invoice, row)
    return Response(out, status_code=status, headers={"ETag": etag(out.version)})


def _settings(out: schemas.OrgSettings) -> Response[schemas.OrgSettings]:
    return Response(out, headers={"ETag": etag(out.version)})


class ScoringController(Controller):
    path = "/api/v1"
    tags = ["scoring"]  # noqa: RUF012
    dependencies = {"scoring": Provide(provide_service, sync_to_thread=False)}  # noqa: RUF012

    @get(
        "/opportunities/{opportunity_id:uuid}/score",
        summary="A deal's score (0-100) with its reasons, its win probability explained, and its value against cost",
        responses=READ,
    )
    async def opportunity_score(self, opportunity_id: uuid.UUID, scoring: ScoringService) -> schemas.OpportunityScore:
        return await scoring.score(opportunity_id)

    @get(
        "/insights/scores",
        summary="Open deals in reach, best score first, with the pipeline's totals with and without low-value deals",
        responses=READ,
    )
    async def pipeline_scores(
        self,
        scoring: ScoringService,
        limit: int = DEFAULT_LIMIT,
        cursor: Annotated[str | None, Parameter(max_length=40)] = None,
        owner_id: uuid.UUID | None = None,
        stage: Annotated[str | None, Parameter(max_length=40)] = None,
        low_value: bool | None = None,
    ) -> schemas.ScoreList:
        return await scoring.scores(check_limit(limit), cursor, owner_id, stage, low_value)

    @get("/opportunities/{opportunity_id:uuid}/signals", summary="Buying signals recorded on a deal", responses=READ)
    async def list_signals(self, opportunity_id: uuid.UUID, scoring: ScoringService) -> Page[schemas.Signal]:
        return Page(items=[to_out(schemas.Signal, s) for s in await scoring.signals(opportunity_id)])

    @post(
        "/opportunities/{opportunity_id:uuid}/signals",
        summary="Record a buying signal (budget confirmed, decision maker involved; value false for the opposite)",
        responses=WRITE,
    )
    async def record_signal(
        self, opportunity_id: uuid.UUID, data: schemas.SignalCreate, scoring: ScoringService
    ) -> schemas.Signal:
        return to_out(schemas.Signal, await scoring.add_signal(opportunity_id, data))

    @post("/invoices", summary="Record an invoice to a customer (paid_on when paid)", responses=WRITE)
    async def create_invoice(self, data: schemas.InvoiceCreate, scoring: ScoringService) -> Response[schemas.Invoice]:
        return _invoice(await scoring.add_invoice(data), 201)

    @get("/invoices", summary="Invoices of the accounts in reach, newest first", responses=READ)
    async def list_invoices(
        self,
        scoring: ScoringService,
        limit: int = DEFAULT_LIMIT,
        cursor: str | None = None,
        account_id: uuid.UUID | None = None,
    ) -> Page[schemas.Invoice]:
        rows, next_cursor = await scoring.invoices(check_limit(limit), cursor, account_id)
        return Page(items=[to_out(schemas.Invoice, r) for r in rows], next_cursor=next_cursor)

    @get("/invoices/{invoice_id:uuid}", summary="One invoice", responses=READ)
    async def get_invoice(self, invoice_id: uuid.UUID, scoring: ScoringService) -> Response[schemas.Invoice]:
        return _invoice(await scoring.invoice(invoice_id))

    @patch("/invoices/{invoice_id:uuid}", summary="Update an invoice, e.g. mark it paid (If-Match)", responses=UPDATE)
    async def update_invoice(
        self, invoice_id: uuid.UUID, data: schemas.InvoiceUpdate, scoring: ScoringService, if_match: IfMatch = None
    ) -> Response[schemas.Invoice]:
        return _invoice(await scoring.update_invoice(invoice_id, parse_if_match(if_match), data))

    @get("/insights/win-model", summary="The org's win model: weights and holdout metrics", responses=ADMIN_READ)
    async def win_model(self, scoring: ScoringService) -> schemas.WinModelOut:
        return await scoring.win_model()

    @post("/insights/win-model/train", summary="Retrain the org's win model now (admins)", responses=ADMIN_WRITE)
    async def train_win_model(self, scoring: ScoringService) -> schemas.WinModelOut:
        return await scoring.train()

    @get("/org/settings", summary="The org's LTV/CAC settings (admins)", responses=ADMIN_READ)
    async def org_settings(self, scoring: ScoringService) -> Response[schemas.OrgSettings]:
        return _settings(await scoring.settings())

    @patch("/org/settings", summary="Update the org's LTV/CAC settings (admins, If-Match)", responses=ADMIN_UPDATE)
    async def update_org_settings(
        self, data: schemas.OrgSettingsUpdate, scoring: ScoringService, if_match: IfMatch = None
    ) -> Response[schemas.OrgSettings]:
        return _settings(await scoring.update_settings(parse_if_match(if_match), data))
