"""Approval requests as the inbox, the outbox and the one-screen detail show them (a few queries per page)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.approvals import schemas
from api.approvals.policies import explain
from api.db.models import (
    Account,
    ApprovalAssignment,
    ApprovalEvent,
    ApprovalRequest,
    ApprovalStep,
    FieldChange,
    LineItem,
    Opportunity,
    Product,
    StageHistory,
    User,
)
from api.lib.i18n import render, t

HISTORY_STAGES = 10
HISTORY_CHANGES = 20


class Views:
    def __init__(self, session: AsyncSession, viewer_id: uuid.UUID, locale: str) -> None:
        self.session = session
        self.viewer_id = viewer_id
        self.locale = locale
        self._names: dict[uuid.UUID, str] = {}

    async def _load_names(self, ids: set[uuid.UUID]) -> None:
        missing = {i for i in ids if i and i not in self._names}
        if missing:
            rows = await self.session.execute(select(User.id, User.name).where(User.id.in_(missing)))
            self._names.update({row.id: row.name for row in rows})

    def name(self, user_id: uuid.UUID | None) -> str | None:
        return self._names.get(user_id) if user_id else None

    async def summaries(self, requests: Sequence[ApprovalRequest]) -> list[schemas.ApprovalSummary]:
        if not requests:
            return []
        opportunity_ids = {r.opportunity_id for r in requests}
        opportunities = {
            o.id: o
            for o in (
                await self.session.execute(select(Opportunity).where(Opportunity.id.in_(opportunity_ids)))
            ).scalars()
        }
        accounts = dict(
            (
                await self.session.execute(
                    select(Account.id, Account.name).where(Account.id.in_({r.account_id for r in requests}))
                )
            ).all()
        )
        steps = await self._steps(requests)
        lines = await self._lines(opportunity_ids)
        people = {r.submitter_id for r in requests}
        for step_list in steps.values():
            for _step, assignments in step_list:
                people |= {a.user_id for a in assignments} | {
                    a.on_behalf_of_id for a in assignments if a.on_behalf_of_id
                }
        await self._load_names(people)
        return [
            self._summary(r, opportunities[r.opportunity_id], accounts.get(r.account_id, ""), steps[r.id], lines)
            for r in requests
        ]

    async def detail(self, request: ApprovalRequest) -> schemas.Approval:
        [summary] = await self.summaries([request])
        opportunity = await self.session.get(Opportunity, request.opportunity_id)
        assert opportunity is not None
        events = list(
            (
                await self.session.execute(
                    select(ApprovalEvent, ApprovalStep.position)
                    .outerjoin(ApprovalStep, ApprovalStep.id == ApprovalEvent.step_id)
                    .where(ApprovalEvent.request_id == request.id)
                    .order_by(ApprovalEvent.seq)
                )
            ).all()
        )
        await self._load_names(
            {e.actor_id for e, _ in events if e.actor_id} | {e.on_behalf_of_id for e, _ in events if e.on_behalf_of_id}
        )
        timeline = [self._event(e, position) for e, position in events]
        fields = {f: getattr(summary, f) for f in summary.__struct_fields__}
        return schemas.Approval(
            **fields,
            close_date=opportunity.close_date,
            probability=opportunity.probability,
            line_items=await self._line_items(request.opportunity_id),
            history=await self._history(request),
            decisions=[e for e in timeline if e.kind == "decided"],
            timeline=timeline,
        )

    async def _steps(
        self, requests: Sequence[ApprovalRequest]
    ) -> dict[uuid.UUID, list[tuple[ApprovalStep, list[ApprovalAssignment]]]]:
        revisions = {r.id: r.revision for r in requests}
        rows = await self.session.execute(
            select(ApprovalStep).where(ApprovalStep.request_id.in_(revisions)).order_by(ApprovalStep.position)
        )
        steps = [s for s in rows.scalars() if s.revision == revisions[s.request_id]]
        assignments: dict[uuid.UUID, list[ApprovalAssignment]] = defaultdict(list)
        if steps:
            found = await self.session.execute(
                select(ApprovalAssignment)
                .where(ApprovalAssignment.step_id.in_({s.id for s in steps}))
                .order_by(ApprovalAssignment.slot, ApprovalAssignment.created_at)
            )
            for assignment in found.scalars():
                assignments[assignment.step_id].append(assignment)
        result: dict[uuid.UUID, list[tuple[ApprovalStep, list[ApprovalAssignment]]]] = defaultdict(list)
        for step in steps:
            result[step.request_id].append((step, assignments[step.id]))
        return result

    async def _lines(
        self, opportunity_ids: set[uuid.UUID]
    ) -> dict[uuid.UUID, list[tuple[LineItem, int | None, str | None]]]:
        rows = await self.session.execute(
            select(LineItem, Product.list_price, Product.currency)
            .outerjoin(Product, Product.id == LineItem.product_id)
            .where(LineItem.opportunity_id.in_(opportunity_ids))
            .order_by(LineItem.position)
        )
        lines: dict[uuid.UUID, list[tuple[LineItem, int | None, str | None]]] = defaultdict(list)
        for line, list_price, currency in rows:
            lines[line.opportunity_id].append((line, list_price, currency))
        return lines

    def _summary(
        self,
        request: ApprovalRequest,
        opportunity: Opportunity,
        account_name: str,
        steps: list[tuple[ApprovalStep, list[ApprovalAssignment]]],
        lines: dict[uuid.UUID, list[tuple[LineItem, int | None, str | None]]],
    ) -> schemas.ApprovalSummary:
        active = next(((s, a) for s, a in steps if s.state == "active"), None)
        current = (
            list(dict.fromkeys(x.user_id for x in active[1] if x.state == "pending"))
            if active and request.state == "pending"
            else []
        )
        return schemas.ApprovalSummary(
            id=request.id,
            subject_type=request.subject_type,  # type: ignore[arg-type]
            state=request.state,  # type: ignore[arg-type]
            revision=request.revision,
            opportunity_id=request.opportunity_id,
            opportunity_name=opportunity.name,
            opportunity_stage=opportunity.stage,
            account_id=request.account_id,
            account_name=account_name,
            submitter_id=request.submitter_id,
            submitter_name=self.name(request.submitter_id) or "",
            discount_pct=request.discount_pct,
            amount=request.amount,
            deal_amount=opportunity.amount,
            currency=request.currency,
            payment_terms_days=request.payment_terms_days,
            note=request.note,
            rules=[self._rule(r, request.currency) for r in request.rules or []],
            margin=_margin(lines.get(request.opportunity_id, []), request.currency, request.amount),
            current_step=active[0].position if active and request.state == "pending" else None,
            current_approver_ids=current,
            awaiting_me=self.viewer_id in current,
            due_at=active[0].due_at if active and request.state == "pending" else None,
            submitted_at=request.submitted_at,
            decided_at=request.decided_at,
            updated_at=request.updated_at,
            version=request.version,
            steps=[self._step(s, a) for s, a in steps],
        )

    def _rule(self, rule: dict[str, Any], currency: str) -> schemas.TriggeredRule:
        return schemas.TriggeredRule(
            policy_id=uuid.UUID(rule["policy_id"]) if rule.get("policy_id") else None,
            name=render(t(rule.get("name_en", ""), rule.get("name_zh", "")), self.locale),
            reasons=[
                schemas.Reason(
                    field=reason["field"],
                    threshold=reason.get("threshold"),
                    value=reason.get("value"),
                    text=explain(reason, self.locale, currency),
                )
                for reason in rule.get("reasons", [])
            ],
        )

    def _step(self, step: ApprovalStep, assignments: list[ApprovalAssignment]) -> schemas.Step:
        return schemas.Step(
            id=step.id,
            revision=step.revision,
            position=step.position,
            policy_id=step.policy_id,
            policy_name=render(t(step.policy_name_en, step.policy_name_zh), self.locale),
            mode=step.mode,
            rules=msgspec.convert(step.approvers, list[schemas.ApproverRule]),
            sla_hours=step.sla_hours,
            state=step.state,
            activated_at=step.activated_at,
            due_at=step.due_at,
            completed_at=step.completed_at,
            elapsed_s=step.elapsed_s,
            escalated_at=step.escalated_at,
            approvers=[
                schemas.Approver(
                    user_id=a.user_id,
                    name=self.name(a.user_id) or "",
                    on_behalf_of_id=a.on_behalf_of_id,
                    on_behalf_of_name=self.name(a.on_behalf_of_id),
                    via=a.via,
                    slot=a.slot,
                    state=a.state,
                    decided_at=a.decided_at,
                    comment=a.comment,
                    elapsed_s=a.elapsed_s,
                )
                for a in assignments
            ],
        )

    def _event(self, event: ApprovalEvent, position: int | None) -> schemas.Event:
        return schemas.Event(
            at=event.at,
            kind=event.kind,
            revision=event.revision,
            step_position=position,
            actor_id=event.actor_id,
            actor_name=self.name(event.actor_id),
            on_behalf_of_id=event.on_behalf_of_id,
            on_behalf_of_name=self.name(event.on_behalf_of_id),
            decision=event.decision,
            comment=event.comment,
            data=event.data or {},
        )

    async def _line_items(self, opportunity_id: uuid.UUID) -> list[schemas.LineItem]:
        rows = await self.session.execute(
            select(LineItem, Product.name, Product.list_price)
            .outerjoin(Product, Product.id == LineItem.product_id)
            .where(LineItem.opportunity_id == opportunity_id)
            .order_by(LineItem.position)
        )
        return [
            schemas.LineItem(
                product_id=line.product_id,
                product_name=product_name,
                description=line.description,
                quantity=line.quantity,
                unit_price=line.unit_price,
                list_price=list_price,
                discount_pct=line.discount_pct,
                amount=line.amount,
            )
            for line, product_name, list_price in rows
        ]

    async def _history(self, request: ApprovalRequest) -> schemas.History:
        """The opportunity's latest stage stays and field changes, oldest first."""
        stays = await self.session.execute(
            select(StageHistory)
            .where(StageHistory.opportunity_id == request.opportunity_id)
            .order_by(StageHistory.entered_at.desc())
            .limit(HISTORY_STAGES)
        )
        changes = await self.session.execute(
            select(FieldChange)
            .where(FieldChange.entity_id == request.opportunity_id, FieldChange.org_id == request.org_id)
            .order_by(FieldChange.changed_at.desc(), FieldChange.field)
            .limit(HISTORY_CHANGES)
        )
        return schemas.History(
            stages=[
                schemas.StageStay(stage=s.stage, entered_at=s.entered_at, left_at=s.left_at, changed_by=s.changed_by)
                for s in reversed(list(stays.scalars()))
            ],
            changes=[
                schemas.FieldChange(
                    field=c.field,
                    old_value=c.old_value,
                    new_value=c.new_value,
                    changed_by=c.changed_by,
                    changed_at=c.changed_at,
                )
                for c in reversed(list(changes.scalars()))
            ],
        )


def _margin(
    lines: list[tuple[LineItem, int | None, str | None]], currency: str, requested: int | None
) -> schemas.Margin | None:
    """How far below the catalogue the deal is priced, over the lines whose product has a list price.

    Unknown (None) when no line is priced from the catalogue in the deal's currency. A requested amount is
    compared with the list value only when every line is priced; otherwise the quoted priced lines are.
    """
    priced = [(line, price) for line, price, cur in lines if price is not None and cur == currency]
    list_amount = sum(line.quantity * price for line, price in priced)
    if not priced or list_amount <= 0:
        return None
    quoted = sum(line.amount for line, _ in priced)
    paid = requested if requested is not None and len(priced) == len(lines) else quoted
    return schemas.Margin(
        list_amount=list_amount,
        quoted_amount=quoted,
        requested_amount=requested,
        below_list_pct=round(100 * (list_amount - paid) / list_amount, 2),
        priced_lines=len(priced),
        total_lines=len(lines),
    )
