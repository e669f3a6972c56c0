"""Approvals over HTTP: requests and decisions, notification actions, policies (admins) and delegations."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from litestar import Controller, Request, Response, delete, get, patch, post, put
from litestar.di import Provide
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import HeaderParameter, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from api.approvals import schemas
from api.approvals.delegations import DelegationService
from api.approvals.policies import PolicyService, conditions_of, steps_of
from api.approvals.routing import Person
from api.approvals.service import ApprovalService, Filters, act
from api.approvals.views import Views
from api.db.models import ApprovalDelegation, ApprovalPolicy, ApprovalRequest
from api.db.types import utcnow
from api.lib.auth import Principal, bearer_token
from api.lib.concurrency import etag, parse_if_match
from api.lib.errors import PROBLEM_MEDIA_TYPE, Problem, locale_of
from api.lib.pagination import DEFAULT_LIMIT, Page, check_limit

IfMatch = Annotated[str | None, HeaderParameter(name="If-Match", required=False, description="The ETag last read")]
_WHY = {
    400: "The body is not JSON",
    401: "Not signed in, or the action token is invalid or expired",
    403: "The caller may not do this (own request, not their turn, not an admin, another approver's token)",
    404: "No such resource, or out of the caller's reach",
    409: "Conflict: no longer pending, a token already used or outdated, the same Idempotency-Key running",
    412: "If-Match names a version that is no longer current",
    413: "Request body too large",
    422: "Invalid request: see the field-level errors",
    428: "If-Match is required",
}


def _answers(*codes: int) -> dict[int, ResponseSpec]:
    return {
        code: ResponseSpec(data_container=Problem, description=_WHY[code], media_type=PROBLEM_MEDIA_TYPE)
        for code in codes
    }


READ = _answers(401, 403, 404, 422)
WRITE = _answers(400, 401, 403, 404, 409, 413, 422)
UPDATE = _answers(400, 401, 403, 404, 409, 412, 413, 422, 428)


def provide_approvals(db: AsyncSession, principal: Principal) -> ApprovalService:
    return ApprovalService(db, principal)


async def _one(
    request: Request[Any, Any, Any], db: AsyncSession, principal: Principal, row: ApprovalRequest, status: int = 200
) -> Response[schemas.Approval]:
    out = await Views(db, principal.user_id, locale_of(request)).detail(row)
    return Response(out, status_code=status, headers={"ETag": etag(out.version)})


class ApprovalController(Controller):
    path = "/api/v1/approvals"
    tags = ["approvals"]  # noqa: RUF012
    dependencies = {"approvals": Provide(provide_approvals, sync_to_thread=False)}  # noqa: RUF012

    @get("/", summary="The caller's approval requests: inbox (asked to decide) or outbox (submitted)", responses=READ)
    async def list_approvals(
        self,
        request: Request[Any, Any, Any],
        db: AsyncSession,
        principal: Principal,
        approvals: ApprovalService,
        box: schemas.Box | None = None,
        approval_state: Annotated[schemas.RequestState | None, QueryParameter(name="state")] = None,
        awaiting: bool | None = None,
        limit: int = DEFAULT_LIMIT,
        cursor: str | None = None,
    ) -> Page[schemas.ApprovalSummary]:
        rows, next_cursor = await approvals.page(Filters(box, approval_state, awaiting), check_limit(limit), cursor)
        items = await Views(db, principal.user_id, locale_of(request)).summaries(rows)
        return Page(items=items, next_cursor=next_cursor)

    @post("/", summary="Ask for approval (discount, quote, contract or stage gate)", responses=WRITE)
    async def submit_approval(
        self,
        request: Request[Any, Any, Any],
        db: AsyncSession,
        principal: Principal,
        data: schemas.ApprovalCreate,
        approvals: ApprovalService,
    ) -> Response[schemas.Approval]:
        return await _one(request, db, principal, await approvals.submit(data), 201)

    @post(
        "/actions",
        summary="Decide from a notification: its single-use token stands in for the sign-in",
        responses=_answers(400, 401, 403, 409, 413, 422),
        security=[],
        status_code=200,
    )
    async def notification_action(
        self, request: Request[Any, Any, Any], db: AsyncSession, data: schemas.ActionIn
    ) -> schemas.ActionResult:
        token = bearer_token(request.headers.get("authorization"))
        signed_in = request.app.state.signer.verify(token) if token else None
        row = await act(db, data, signed_in[1] if signed_in else None)
        return schemas.ActionResult(approval_id=row.id, decision=data.decision, state=row.state)  # type: ignore[arg-type]

    @get("/{approval_id:uuid}", summary="One request with everything needed to decide it", responses=READ)
    async def get_approval(
        self,
        request: Request[Any, Any, Any],
        db: AsyncSession,
        principal: Principal,
        approval_id: uuid.UUID,
        approvals: ApprovalService,
    ) -> Response[schemas.Approval]:
        return await _one(request, db, principal, await approvals.get(approval_id))

    @post(
        "/{approval_id:uuid}/decisions",
        summary="Approve, reject (comment required) or ask for changes (comment required)",
        responses=WRITE,
        status_code=200,
    )
    async def decide_approval(
        self,
        request: Request[Any, Any, Any],
        db: AsyncSession,
        principal: Principal,
        approval_id: uuid.UUID,
        data: schemas.DecisionIn,
        approvals: ApprovalService,
    ) -> Response[schemas.Approval]:
        return await _one(request, db, principal, await approvals.decide(approval_id, data))

    @post(
        "/{approval_id:uuid}/recall",
        summary="Take back a pending request (submitter)",
        responses=WRITE,
        status_code=200,
    )
    async def recall_approval(
        self,
        request: Request[Any, Any, Any],
        db: AsyncSession,
        principal: Principal,
        approval_id: uuid.UUID,
        approvals: ApprovalService,
    ) -> Response[schemas.Approval]:
        return await _one(request, db, principal, await approvals.recall(approval_id))

    @post(
        "/{approval_id:uuid}/resubmit",
        summary="Submit again with updated figures, after changes were requested or a recall (submitter)",
        responses=WRITE,
        status_code=200,
    )
    async def resubmit_approval(
        self,
        request: Request[Any, Any, Any],
        db: AsyncSession,
        principal: Principal,
        approval_id: uuid.UUID,
        data: schemas.ApprovalResubmit,
        approvals: ApprovalService,
    ) -> Response[schemas.Approval]:
        return await _one(request, db, principal, await approvals.resubmit(approval_id, data))


def provide_policies(db: AsyncSession, principal: Principal) -> PolicyService:
    return PolicyService(db, principal)


def _policy(row: ApprovalPolicy, status: int = 200) -> Response[schemas.Policy]:
    return Response(_policy_out(row), status_code=status, headers={"ETag": etag(row.version)})


def _policy_out(row: ApprovalPolicy) -> schemas.Policy:
    return schemas.Policy(
        id=row.id, name_en=row.name_en, name_zh=row.name_zh, position=row.position, active=row.active,
        conditions=conditions_of(row), steps=steps_of(row), version=row.version, created_at=row.created_at,
        updated_at=row.updated_at,
    )  # fmt: skip


class PolicyController(Controller):
    path = "/api/v1/approvals/policies"
    tags = ["approvals"]  # noqa: RUF012
    dependencies = {"policies": Provide(provide_policies, sync_to_thread=False)}  # noqa: RUF012

    @get("/", summary="The org's approval policies in the order they are checked (admins)", responses=READ)
    async def list_policies(self, policies: PolicyService) -> schemas.PolicyList:
        return schemas.PolicyList(items=[_policy_out(p) for p in await policies.all()])

    @post("/", summary="Add an approval policy (admins)", responses=WRITE)
    async def create_policy(self, data: schemas.PolicyCreate, policies: PolicyService) -> Response[schemas.Policy]:
        return _policy(await policies.create(data), 201)

    @get("/{policy_id:uuid}", summary="One approval policy (admins)", responses=READ)
    async def get_policy(self, policy_id: uuid.UUID, policies: PolicyService) -> Response[schemas.Policy]:
        return _policy(await policies.get(policy_id))

    @put("/{policy_id:uuid}", summary="Replace an approval policy (admins; If-Match required)", responses=UPDATE)
    async def replace_policy(
        self, policy_id: uuid.UUID, data: schemas.PolicyReplace, policies: PolicyService, if_match: IfMatch = None
    ) -> Response[schemas.Policy]:
        return _policy(await policies.replace(policy_id, parse_if_match(if_match), data))

    @patch("/{policy_id:uuid}", summary="Change an approval policy (admins; If-Match required)", responses=UPDATE)
    async def update_policy(
        self, policy_id: uuid.UUID, data: schemas.PolicyUpdate, policies: PolicyService, if_match: IfMatch = None
    ) -> Response[schemas.Policy]:
        return _policy(await policies.update(policy_id, parse_if_match(if_match), data))

    @delete("/{policy_id:uuid}", summary="Remove an approval policy (admins)", responses=WRITE)
    async def delete_policy(self, policy_id: uuid.UUID, policies: PolicyService) -> None:
        await policies.delete(policy_id)


def provide_delegations(db: AsyncSession, principal: Principal) -> DelegationService:
    return DelegationService(db, principal)


async def _delegations(service: DelegationService, rows: list[ApprovalDelegation]) -> list[schemas.Delegation]:
    people = await service.names(rows)
    now = utcnow()
    out = []
    for row in rows:
        name, zone = people.get(row.user_id, ("", "UTC"))
        today = Person(row.user_id, name, (), None, zone).today(now)
        out.append(
            schemas.Delegation(
                id=row.id,
                user_id=row.user_id,
                user_name=name,
                delegate_id=row.delegate_id,
                delegate_name=people.get(row.delegate_id, ("", ""))[0],
                starts_on=row.starts_on,
                ends_on=row.ends_on,
                note=row.note,
                active_now=row.starts_on <= today <= row.ends_on,
                created_at=row.created_at,
            )
        )
    return out


class DelegationController(Controller):
    path = "/api/v1/approvals/delegations"
    tags = ["approvals"]  # noqa: RUF012
    dependencies = {"delegations": Provide(provide_delegations, sync_to_thread=False)}  # noqa: RUF012

    @get("/", summary="Delegations the caller gave or received (admins: the org's)", responses=READ)
    async def list_delegations(self, delegations: DelegationService) -> schemas.DelegationList:
        return schemas.DelegationList(items=await _delegations(delegations, await delegations.all()))

    @post("/", summary="Name a delegate for a date range while away", responses=WRITE)
    async def create_delegation(
        self, data: schemas.DelegationCreate, delegations: DelegationService
    ) -> schemas.Delegation:
        [out] = await _delegations(delegations, [await delegations.create(data)])
        return out

    @delete("/{delegation_id:uuid}", summary="End a delegation", responses=WRITE)
    async def delete_delegation(self, delegation_id: uuid.UUID, delegations: DelegationService) -> None:
        await delegations.cancel(delegation_id)
