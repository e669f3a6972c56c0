"""Approval requests: submit, list, read, decide, recall, resubmit, and decide from a notification action.

Who sees a request: its submitter (outbox) and everyone asked to decide it, or on whose behalf someone was
asked (inbox). Anyone else gets 404, admins included: the policies are theirs, the requests are not.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import msgspec
from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.approvals import policies, tokens
from api.approvals.schemas import ActionIn, ApprovalCreate, ApprovalResubmit, DecisionIn
from api.approvals.workflow import Workflow, not_pending
from api.db.models import ApprovalAssignment, ApprovalPolicy, ApprovalRequest, ApprovalStep, LineItem, Opportunity
from api.db.types import utcnow
from api.lib.auth import Principal
from api.lib.errors import AppError, conflict, field_error, not_found
from api.lib.i18n import t
from api.lib.pagination import keyset_page
from api.lib.schema import provided
from api.lib.scope import visible


def not_submitter() -> AppError:
    return AppError(
        403,
        "not-submitter",
        t("Not allowed", "无权操作"),
        t("Only the person who submitted the request can do this.", "只有申请提交人可以执行此操作。"),
    )


def involved(user_id: uuid.UUID):
    """Requests a person submitted or was asked to decide (themselves or through a delegate or escalation)."""
    asked = select(ApprovalAssignment.request_id).where(
        or_(ApprovalAssignment.user_id == user_id, ApprovalAssignment.on_behalf_of_id == user_id)
    )
    return or_(ApprovalRequest.submitter_id == user_id, ApprovalRequest.id.in_(asked))


@dataclass(frozen=True)
class Filters:
    box: str | None = None
    state: str | None = None
    awaiting: bool | None = None


class ApprovalService:
    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        self.session = session
        self.principal = principal
        self.workflow = Workflow(session, principal.org_id)

    async def get(self, request_id: uuid.UUID) -> ApprovalRequest:
        stmt = select(ApprovalRequest).where(
            ApprovalRequest.id == request_id,
            ApprovalRequest.org_id == self.principal.org_id,
            involved(self.principal.user_id),
        )
        request = (await self.session.execute(stmt)).scalar_one_or_none()
        if request is None:
            raise not_found()
        return request

    async def page(self, filters: Filters, limit: int, cursor: str | None) -> tuple[list[ApprovalRequest], str | None]:
        """The caller's requests, newest submission first."""
        me = self.principal.user_id
        stmt = select(ApprovalRequest).where(ApprovalRequest.org_id == self.principal.org_id)
        if filters.box == "outbox":
            stmt = stmt.where(ApprovalRequest.submitter_id == me)
        elif filters.box == "inbox":
            asked = select(ApprovalAssignment.request_id).where(
                or_(ApprovalAssignment.user_id == me, ApprovalAssignment.on_behalf_of_id == me)
            )
            stmt = stmt.where(ApprovalRequest.id.in_(asked))
        else:
            stmt = stmt.where(involved(me))
        if filters.state:
            stmt = stmt.where(ApprovalRequest.state == filters.state)
        if filters.awaiting is not None:
            waiting = select(ApprovalAssignment.request_id).where(
                ApprovalAssignment.user_id == me, ApprovalAssignment.state == "pending"
            )
            stmt = stmt.where(
                ApprovalRequest.id.in_(waiting) if filters.awaiting else ApprovalRequest.id.not_in(waiting)
            )
        return await keyset_page(self.session, stmt, ApprovalRequest.submitted_at, cursor, limit)

    async def submit(self, data: ApprovalCreate) -> ApprovalRequest:
        opportunity = await self._opportunity(data.opportunity_id)
        pending = await self.session.execute(
            select(ApprovalRequest.id).where(
                ApprovalRequest.opportunity_id == opportunity.id,
                ApprovalRequest.subject_type == data.subject_type,
                ApprovalRequest.state == "pending",
            )
        )
        if pending.first() is not None:
            raise conflict(
                "approval-already-pending",
                t(
                    "A request of this kind is already waiting for this opportunity; recall it or wait.",
                    "该商机已有同类申请在审批中，请撤回或等待结果。",
                ),
            )
        now = utcnow()
        request = ApprovalRequest(
            id=data.id if data.id is not msgspec.UNSET else uuid.uuid4(),
            org_id=self.principal.org_id,
            opportunity_id=opportunity.id,
            account_id=opportunity.account_id,
            submitter_id=self.principal.user_id,
            subject_type=data.subject_type,
            state="pending",
            discount_pct=data.discount_pct,
            amount=data.amount,
            currency=opportunity.currency,
            payment_terms_days=data.payment_terms_days,
            note=data.note,
            revision=1,
            submitted_at=now,
            created_at=now,
            updated_at=now,
        )
        planned = await self._plan(request, opportunity)
        await self.workflow.check_routable(planned, self.principal.user_id)
        self.session.add(request)
        await self.session.flush()
        await self.workflow.event(
            request, "submitted", actor_id=self.principal.user_id, **_figures(request), note=request.note,
            policies=[r["policy_id"] for r in request.rules],
        )  # fmt: skip
        await self.workflow.start(request, planned)
        await self.session.flush()
        return request

    async def decide(self, request_id: uuid.UUID, data: DecisionIn) -> ApprovalRequest:
        request = await self._locked(request_id)
        await self.workflow.decide(request, self.principal.user_id, data.decision, data.comment, via="app")
        return request

    async def recall(self, request_id: uuid.UUID) -> ApprovalRequest:
        request = await self._locked(request_id)
        if request.submitter_id != self.principal.user_id:
            raise not_submitter()
        await self.workflow.recall(request, self.principal.user_id)
        return request

    async def resubmit(self, request_id: uuid.UUID, data: ApprovalResubmit) -> ApprovalRequest:
        """A new revision with updated figures, routed afresh; earlier decisions stay on the record."""
        request = await self._locked(request_id)
        if request.submitter_id != self.principal.user_id:
            raise not_submitter()
        if request.state not in ("changes_requested", "recalled"):
            raise conflict(
                "approval-not-resubmittable",
                t(
                    "Only a request sent back for changes, or recalled, can be resubmitted.",
                    "只有被要求修改或已撤回的申请才能重新提交。",
                ),
            )
        changes = provided(data)
        before = _figures(request) | {"note": request.note}
        for name, value in changes.items():
            setattr(request, name, value)
        opportunity = await self.session.get(Opportunity, request.opportunity_id)
        if opportunity is None or opportunity.deleted_at is not None:
            raise not_found()
        request.revision += 1
        planned = await self._plan(request, opportunity)
        await self.workflow.check_routable(planned, self.principal.user_id)
        request.state = "pending"
        request.decided_at = None
        request.updated_at = utcnow()
        after = _figures(request) | {"note": request.note}
        await self.workflow.event(
            request, "resubmitted", actor_id=self.principal.user_id,
            changes={k: [before[k], after[k]] for k in after if before[k] != after[k]},
            policies=[r["policy_id"] for r in request.rules],
        )  # fmt: skip
        await self.workflow.start(request, planned)
        await self.session.flush()
        return request

    async def _locked(self, request_id: uuid.UUID) -> ApprovalRequest:
        await self.get(request_id)  # 404 unless the caller is involved
        request = await self.workflow.lock(request_id)
        if request is None:
            raise not_found()
        return request

    async def _opportunity(self, opportunity_id: uuid.UUID) -> Opportunity:
        stmt = visible(select(Opportunity).where(Opportunity.id == opportunity_id), Opportunity, self.principal)
        opportunity = (await self.session.execute(stmt)).scalar_one_or_none()
        if opportunity is None:
            raise field_error(
                "opportunity_id", "unknown", t("No such opportunity in your reach.", "您的权限范围内没有该商机。")
            )
        return opportunity

    async def _plan(self, request: ApprovalRequest, opportunity: Opportunity) -> list[policies.PlannedStep]:
        """Match the org's policies against the request (its figures, else the opportunity's) and plan steps."""
        products = await self.session.execute(
            select(LineItem.product_id).where(
                LineItem.opportunity_id == opportunity.id, LineItem.product_id.is_not(None)
            )
        )
        facts = policies.Facts(
            subject_type=request.subject_type,
            discount_pct=request.discount_pct if request.discount_pct is not None else opportunity.discount_pct,
            amount=request.amount if request.amount is not None else opportunity.amount,
            payment_terms_days=request.payment_terms_days,
            currency=opportunity.currency,
            product_ids=frozenset(p for p in products.scalars() if p),
        )
        rows = await self.session.execute(select(ApprovalPolicy).where(ApprovalPolicy.org_id == request.org_id))
        matches = policies.matching(list(rows.scalars()), facts)
        request.rules = policies.snapshot(matches)
        return policies.plan(matches)


def _figures(request: ApprovalRequest) -> dict[str, object]:
    return {
        "discount_pct": request.discount_pct,
        "amount": request.amount,
        "payment_terms_days": request.payment_terms_days,
    }


async def act(session: AsyncSession, data: ActionIn, bearer_user_id: uuid.UUID | None) -> ApprovalRequest:
    """Decide with a notification's action token: recorded exactly as that approver deciding in the app.

    Refusals change nothing and leave the token usable, except that a used token stays used; a decision that
    needs a comment (reject) without one is refused too, so the app can ask for it and send it with the token.
    """
    token = await tokens.redeem(session, data.token)
    if bearer_user_id is not None and bearer_user_id != token.user_id:
        raise tokens.wrong_user()
    workflow = Workflow(session, token.org_id)
    request = await workflow.lock(token.request_id)
    if request is None:
        raise tokens.invalid()
    if request.state != "pending":
        raise not_pending()
    step = await session.get(ApprovalStep, token.step_id)
    if request.revision != token.revision or step is None or step.state != "active":
        raise tokens.stale()
    assignments = await workflow.assignments(step)
    if not any(a.user_id == token.user_id and a.state == "pending" for a in assignments):
        raise tokens.stale()
    await workflow.decide(request, token.user_id, data.decision, data.comment, via="notification")
    await tokens.spend(session, token)
    return request
