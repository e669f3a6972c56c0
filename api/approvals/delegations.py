"""Delegations: an approver who is away names who decides for them, from one date to another (their dates).

Requests routed while a delegation covers today go to the delegate, on the approver's behalf. Setting up a
delegation that starts today also hands the delegate the steps already waiting on the approver (the approver
can still decide those too). Ending a delegation early leaves what was already routed with the delegate.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

import msgspec
from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.approvals.routing import Person
from api.approvals.schemas import DelegationCreate
from api.approvals.workflow import Workflow
from api.db.models import ApprovalAssignment, ApprovalDelegation, ApprovalRequest, ApprovalStep, User
from api.db.types import utcnow
from api.lib.auth import Principal
from api.lib.errors import FieldProblem, conflict, field_error, forbidden, not_found, validation_failed
from api.lib.i18n import t

MAX_SPAN = timedelta(days=366)


class DelegationService:
    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        self.session = session
        self.principal = principal

    async def all(self) -> list[ApprovalDelegation]:
        """The caller's delegations, given and received (an admin sees the org's), latest start first."""
        stmt = select(ApprovalDelegation).where(
            ApprovalDelegation.org_id == self.principal.org_id, ApprovalDelegation.cancelled_at.is_(None)
        )
        if not self.principal.is_admin:
            me = self.principal.user_id
            stmt = stmt.where(or_(ApprovalDelegation.user_id == me, ApprovalDelegation.delegate_id == me))
        stmt = stmt.order_by(ApprovalDelegation.starts_on.desc(), ApprovalDelegation.created_at.desc())
        return list((await self.session.execute(stmt)).scalars())

    async def create(self, data: DelegationCreate) -> ApprovalDelegation:
        owner_id = self.principal.user_id if data.user_id is msgspec.UNSET else data.user_id
        if owner_id != self.principal.user_id and not self.principal.is_admin:
            raise forbidden()
        owner = await self._person(owner_id, "user_id")
        await self._person(data.delegate_id, "delegate_id")
        problems = self._problems(data, owner)
        if problems:
            raise validation_failed(problems)
        overlapping = await self.session.execute(
            select(ApprovalDelegation.id).where(
                ApprovalDelegation.user_id == owner.id,
                ApprovalDelegation.cancelled_at.is_(None),
                ApprovalDelegation.starts_on <= data.ends_on,
                ApprovalDelegation.ends_on >= data.starts_on,
            )
        )
        if overlapping.first() is not None:
            raise conflict(
                "delegation-overlap",
                t("Another delegation of yours covers some of these days.", "这些日期已有其他委托。"),
            )
        delegation = ApprovalDelegation(
            id=data.id if data.id is not msgspec.UNSET else uuid.uuid4(),
            org_id=self.principal.org_id,
            user_id=owner.id,
            delegate_id=data.delegate_id,
            starts_on=data.starts_on,
            ends_on=data.ends_on,
            note=data.note,
            created_by=self.principal.user_id,
            created_at=utcnow(),
        )
        self.session.add(delegation)
        await self.session.flush()
        if delegation.starts_on <= owner.today(utcnow()):
            await self._hand_over(owner.id)
        return delegation

    async def cancel(self, delegation_id: uuid.UUID) -> None:
        delegation = await self.session.get(ApprovalDelegation, delegation_id)
        if (
            delegation is None
            or delegation.org_id != self.principal.org_id
            or delegation.cancelled_at is not None
            or not (self.principal.is_admin or delegation.user_id == self.principal.user_id)
        ):
            raise not_found()
        delegation.cancelled_at = utcnow()
        await self.session.flush()

    async def names(self, rows: list[ApprovalDelegation]) -> dict[uuid.UUID, tuple[str, str]]:
        """Per user id, (name, time zone), for the people in these delegations."""
        ids = {r.user_id for r in rows} | {r.delegate_id for r in rows}
        if not ids:
            return {}
        found = await self.session.execute(select(User.id, User.name, User.timezone).where(User.id.in_(ids)))
        return {row.id: (row.name, row.timezone) for row in found}

    async def _hand_over(self, delegator_id: uuid.UUID) -> None:
        """Give the delegate the active steps already waiting on the delegator."""
        waiting = await self.session.execute(
            select(ApprovalAssignment.request_id)
            .join(ApprovalStep, ApprovalStep.id == ApprovalAssignment.step_id)
            .join(ApprovalRequest, ApprovalRequest.id == ApprovalAssignment.request_id)
            .where(
                ApprovalAssignment.user_id == delegator_id,
                ApprovalAssignment.state == "pending",
                ApprovalStep.state == "active",
                ApprovalRequest.state == "pending",
            )
        )
        workflow = Workflow(self.session, self.principal.org_id)
        for request_id in dict.fromkeys(waiting.scalars()):
            request = await workflow.lock(request_id)
            if request is not None:
                await workflow.delegate_open(request, delegator_id)

    async def _person(self, user_id: uuid.UUID, field: str) -> Person:
        user = (
            await self.session.execute(
                select(User).where(User.id == user_id, User.org_id == self.principal.org_id, User.is_active)
            )
        ).scalar_one_or_none()
        if user is None:
            raise field_error(field, "unknown", t("No such active user in your org.", "本组织中没有该在职用户。"))
        return Person(user.id, user.name, tuple(user.roles or ()), user.manager_id, user.timezone)

    def _problems(self, data: DelegationCreate, owner: Person) -> list[FieldProblem]:
        problems = []
        starts_on, ends_on = data.starts_on, data.ends_on
        if data.delegate_id == owner.id:
            problems.append(FieldProblem("delegate_id", "self", t("Delegate to someone else.", "请委托给其他人。")))
        if ends_on < starts_on:
            problems.append(
                FieldProblem("ends_on", "before_start", t("The end comes before the start.", "结束日期早于开始日期。"))
            )
        elif ends_on - starts_on > MAX_SPAN:
            problems.append(
                FieldProblem("ends_on", "too_long", t("A delegation lasts at most a year.", "委托最长一年。"))
            )
        if ends_on < owner.today(utcnow()):
            problems.append(FieldProblem("ends_on", "past", t("This period is over already.", "该时间段已结束。")))
        return problems
