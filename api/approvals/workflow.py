"""The life of a request: steps activated in turn, decisions, recall, resubmission and escalation.

Every path that changes a request (the API, a notification action, the escalation job) goes through here, so
a decision is recorded the same way whoever makes it and however it arrives. Each operation locks the
request row first (``FOR UPDATE`` on PostgreSQL; SQLite serialises writers) and bumps its version, so two
decisions racing on one request are applied one after the other, never both on a stale view.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from api.approvals import notices, routing, tokens
from api.approvals.policies import PlannedStep
from api.db.models import Account, ApprovalAssignment, ApprovalEvent, ApprovalRequest, ApprovalStep, Opportunity, User
from api.db.types import utcnow
from api.lib.errors import AppError, conflict, field_error
from api.lib.i18n import Text, t

DONE = ("approved", "carried")
OUTCOME_OF = {"approve": "approved", "reject": "rejected", "request_changes": "changes_requested"}


def not_pending() -> AppError:
    return conflict(
        "approval-not-pending",
        t(
            "This request has been decided or recalled already; nothing was changed.",
            "该申请已处理或已撤回，未做任何更改。",
        ),
    )


def self_approval() -> AppError:
    return AppError(
        403,
        "self-approval",
        t("Not allowed", "无权操作"),
        t("Nobody decides on their own request.", "不能审批自己提交的申请。"),
    )


def not_current_approver() -> AppError:
    return AppError(
        403,
        "not-current-approver",
        t("Not your turn", "尚未轮到您"),
        t("This request is not waiting for your decision.", "该申请当前不需要您审批。"),
    )


def comment_required(decision: str) -> AppError:
    return field_error(
        "comment",
        "required",
        t("Say why ({decision}) in a comment.", "请在备注中说明原因（{decision}）。"),
        decision=decision,
    )


def _seconds(since: datetime | None, now: datetime) -> int | None:
    return max(int((now - since).total_seconds()), 0) if since else None


class Workflow:
    def __init__(self, session: AsyncSession, org_id: uuid.UUID, now: datetime | None = None) -> None:
        self.session = session
        self.org_id = org_id
        self.now = now or utcnow()
        self._seq: dict[uuid.UUID, int] = {}
        self._directory: routing.Directory | None = None
        self._contexts: dict[uuid.UUID, notices.Context] = {}

    # --- reading -------------------------------------------------------------------------------------------

    async def lock(self, request_id: uuid.UUID) -> ApprovalRequest | None:
        stmt = (
            select(ApprovalRequest)
            .where(ApprovalRequest.id == request_id, ApprovalRequest.org_id == self.org_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def directory(self) -> routing.Directory:
        if self._directory is None:
            self._directory = await routing.Directory.load(self.session, self.org_id, self.now)
        return self._directory

    async def steps(self, request: ApprovalRequest) -> list[ApprovalStep]:
        stmt = (
            select(ApprovalStep)
            .where(ApprovalStep.request_id == request.id, ApprovalStep.revision == request.revision)
            .order_by(ApprovalStep.position)
        )
        return list((await self.session.execute(stmt)).scalars())

    async def active_step(self, request: ApprovalRequest) -> ApprovalStep | None:
        return next((s for s in await self.steps(request) if s.state == "active"), None)

    async def assignments(self, step: ApprovalStep) -> list[ApprovalAssignment]:
        stmt = (
            select(ApprovalAssignment)
            .where(ApprovalAssignment.step_id == step.id)
            .order_by(ApprovalAssignment.slot, ApprovalAssignment.created_at)
        )
        return list((await self.session.execute(stmt)).scalars())

    async def _submitter(self, request: ApprovalRequest) -> routing.Person:
        directory = await self.directory()
        person = directory.get(request.submitter_id)
        if person is None:  # deactivated since: still never their own approver
            user = await self.session.get(User, request.submitter_id)
            assert user is not None
            person = routing.Person(user.id, user.name, tuple(user.roles or ()), user.manager_id, user.timezone)
        return person

    async def context(self, request: ApprovalRequest) -> notices.Context:
        if request.id not in self._contexts:
            row = (
                await self.session.execute(
                    select(Opportunity.name, Account.name, User.name)
                    .join(Account, Account.id == Opportunity.account_id)
                    .join(User, User.id == request.submitter_id)
                    .where(Opportunity.id == request.opportunity_id)
                )
            ).one()
            self._contexts[request.id] = notices.Context(request, row[0], row[1], row[2])
        return self._contexts[request.id]

    # --- the timeline --------------------------------------------------------------------------------------

    async def event(
        self,
        request: ApprovalRequest,
        kind: str,
        *,
        step: ApprovalStep | None = None,
        actor_id: uuid.UUID | None = None,
        on_behalf_of_id: uuid.UUID | None = None,
        decision: str | None = None,
        comment: str | None = None,
        **data: Any,
    ) -> None:
        if request.id not in self._seq:
            stmt = select(func.max(ApprovalEvent.seq)).where(ApprovalEvent.request_id == request.id)
            self._seq[request.id] = (await self.session.execute(stmt)).scalar() or 0
        self._seq[request.id] += 1
        self.session.add(
            ApprovalEvent(
                id=uuid.uuid4(),
                org_id=request.org_id,
                request_id=request.id,
                step_id=step.id if step else None,
                revision=request.revision,
                kind=kind,
                actor_id=actor_id,
                on_behalf_of_id=on_behalf_of_id,
                decision=decision,
                comment=comment,
                data=_plain(data),
                at=self.now,
                seq=self._seq[request.id],
            )
        )

    # --- starting a revision -------------------------------------------------------------------------------

    async def start(self, request: ApprovalRequest, planned: Sequence[PlannedStep]) -> None:
        """Create this revision's steps and activate the first; with no step the request is approved at once."""
        if not planned:
            request.state = "approved"
            request.decided_at = self.now
            await self.event(request, "completed", state="approved", reason="no_policy")
            return
        for position, spec in enumerate(planned, start=1):
            self.session.add(
                ApprovalStep(
                    id=uuid.uuid4(),
                    org_id=request.org_id,
                    request_id=request.id,
                    revision=request.revision,
                    position=position,
                    policy_id=spec.policy_id,
                    policy_name_en=spec.policy_name_en,
                    policy_name_zh=spec.policy_name_zh,
                    mode=spec.mode,
                    approvers=spec.approvers,
                    sla_hours=spec.sla_hours,
                    state="waiting",
                )
            )
        await self.session.flush()
        await self._advance(request)

    async def check_routable(self, planned: Sequence[PlannedStep], submitter_id: uuid.UUID) -> None:
        """Refuse up front a request some step of which nobody could decide."""
        directory = await self.directory()
        submitter = directory.get(submitter_id)
        if submitter is None:
            return
        for spec in planned:
            routing.slots(spec.mode, spec.approvers, submitter, directory)

    async def _advance(self, request: ApprovalRequest) -> None:
        """Activate the next waiting step, or approve the request when none is left."""
        while True:
            waiting = [s for s in await self.steps(request) if s.state == "waiting"]
            if not waiting:
                request.state = "approved"
                request.decided_at = self.now
                await self.event(request, "completed", state="approved")
                await self.session.flush()
                return
            if not await self._activate(request, waiting[0]):
                return

    async def _approved_by(self, request: ApprovalRequest) -> set[uuid.UUID]:
        """Everyone who approved this revision so far, themselves or on someone's behalf."""
        stmt = select(ApprovalAssignment.user_id, ApprovalAssignment.on_behalf_of_id).where(
            ApprovalAssignment.request_id == request.id,
            ApprovalAssignment.state.in_(DONE),
            ApprovalAssignment.step_id.in_(
                select(ApprovalStep.id).where(
                    ApprovalStep.request_id == request.id, ApprovalStep.revision == request.revision
                )
            ),
        )
        return {uid for row in await self.session.execute(stmt) for uid in row if uid}

    async def _activate(self, request: ApprovalRequest, step: ApprovalStep) -> bool:
        """Route a step to its approvers; True when earlier approvals already settle it (the caller moves on)."""
        directory = await self.directory()
        submitter = await self._submitter(request)
        seats = routing.slots(step.mode, step.approvers, submitter, directory)
        step.state = "active"
        step.activated_at = self.now
        step.due_at = self.now + timedelta(hours=step.sla_hours)
        approved_before = await self._approved_by(request)
        asked: list[routing.Seat] = []
        settled = 0
        for slot, slot_seats in enumerate(seats):
            carried = next(
                (s for s in slot_seats if s.user_id in approved_before or s.on_behalf_of_id in approved_before), None
            )
            if carried is not None:
                settled += 1
                self._assign(request, step, slot, carried, state="carried")
                await self.event(request, "carried", step=step, actor_id=carried.user_id, slot=slot)
                continue
            for seat in slot_seats:
                self._assign(request, step, slot, seat)
                asked.append(seat)
                if seat.via == "delegation":
                    await self.event(
                        request, "delegated", step=step, actor_id=seat.user_id, on_behalf_of_id=seat.on_behalf_of_id,
                        delegation_id=seat.delegation_id, slot=slot,
                    )  # fmt: skip
        await self.event(request, "routed", step=step, slots=[[_seat_data(s) for s in group] for group in seats])
        await self.session.flush()
        if settled == len(seats):
            await self._complete_step(step, "approved")
            return True
        await self._ask(request, step, asked, escalated=False)
        return False

    def _assign(
        self, request: ApprovalRequest, step: ApprovalStep, slot: int, seat: routing.Seat, state: str = "pending"
    ) -> ApprovalAssignment:
        assignment = ApprovalAssignment(
            id=uuid.uuid4(),
            org_id=request.org_id,
            request_id=request.id,
            step_id=step.id,
            slot=slot,
            user_id=seat.user_id,
            on_behalf_of_id=seat.on_behalf_of_id,
            via=seat.via,
            state=state,
            created_at=self.now,
            decided_at=self.now if state != "pending" else None,
            elapsed_s=0 if state != "pending" else None,
        )
        self.session.add(assignment)
        return assignment

    async def _ask(
        self, request: ApprovalRequest, step: ApprovalStep, seats: Iterable[routing.Seat], *, escalated: bool
    ) -> None:
        """Notify each newly asked person once, with a single-use token for this step."""
        ctx = await self.context(request)
        directory = await self.directory()
        for_whom: dict[uuid.UUID, uuid.UUID | None] = {}
        for seat in seats:
            for_whom.setdefault(seat.user_id, seat.on_behalf_of_id)
        for user_id, on_behalf_of_id in for_whom.items():
            token = await tokens.mint(
                self.session, org_id=request.org_id, request_id=request.id, step_id=step.id, user_id=user_id,
                revision=request.revision,
            )  # fmt: skip
            await notices.requested(
                self.session, ctx, user_id, step.id, token, escalated=escalated,
                on_behalf_of=directory.name(on_behalf_of_id),
            )  # fmt: skip

    async def _complete_step(self, step: ApprovalStep, state: str) -> None:
        step.state = state
        step.completed_at = self.now
        step.elapsed_s = _seconds(step.activated_at, self.now)

    # --- decisions -----------------------------------------------------------------------------------------

    async def decide(
        self, request: ApprovalRequest, actor_id: uuid.UUID, decision: str, comment: str | None, *, via: str
    ) -> None:
        """Record one approver's decision and move the request on. Raises before changing anything when refused."""
        if request.state != "pending":
            raise not_pending()
        if actor_id == request.submitter_id:
            raise self_approval()
        comment = (comment or "").strip() or None
        if decision != "approve" and comment is None:
            raise comment_required(decision)
        step = await self.active_step(request)
        everyone = await self.assignments(step) if step else []
        mine = [a for a in everyone if a.user_id == actor_id and a.state == "pending"]
        if step is None or not mine:
            raise not_current_approver()
        outcome = OUTCOME_OF[decision]
        elapsed = _seconds(step.activated_at, self.now)
        for assignment in mine:
            assignment.state = outcome
            assignment.decided_at = self.now
            assignment.comment = comment
            assignment.elapsed_s = elapsed
        on_behalf = next((a.on_behalf_of_id for a in mine if a.on_behalf_of_id), None)
        await self.event(
            request, "decided", step=step, actor_id=actor_id, on_behalf_of_id=on_behalf, decision=decision,
            comment=comment, via=via, elapsed_s=elapsed,
            since_submission_s=_seconds(request.submitted_at, self.now), slots=sorted({a.slot for a in mine}),
        )  # fmt: skip
        request.updated_at = self.now
        others = [a for a in everyone if a.state == "pending"]
        decider_name = (await self.directory()).name(actor_id) or ""
        if decision == "approve":
            done = {a.slot for a in everyone if a.state in DONE}
            superseded = [a for a in others if a.slot in done]
            for assignment in superseded:
                assignment.state = "closed"
            # Someone in two slots of an "all" step may be done with one and still needed for the other.
            still_asked = {a.user_id for a in others if a.state == "pending"}
            superseded = [a for a in superseded if a.user_id not in still_asked]
            if done >= {a.slot for a in everyone}:
                await self._complete_step(step, "approved")
                await self.session.flush()
                await self._advance(request)
            await self._tell_closed(request, superseded, t(f"{decider_name} approved.", f"{decider_name} 已批准。"))
            if request.state == "approved":
                await notices.decided(self.session, await self.context(request), decider_name, comment)
            await self.session.flush()
            return
        for assignment in others:
            assignment.state = "closed"
        await self._complete_step(step, outcome)
        await self._finish(request, outcome)
        reason = OUTCOME_TEXT[outcome]
        await self._tell_closed(
            request, others, t(reason["en"].format(name=decider_name), reason["zh"].format(name=decider_name))
        )
        await notices.decided(self.session, await self.context(request), decider_name, comment)
        await self.session.flush()

    async def _finish(self, request: ApprovalRequest, state: str) -> None:
        """Close the request: later steps of this revision will never run."""
        for step in await self.steps(request):
            if step.state == "waiting":
                step.state = "cancelled"
        request.state = state
        request.decided_at = self.now
        request.updated_at = self.now
        await self.event(request, "completed", state=state)

    async def _tell_closed(self, request: ApprovalRequest, closed: Iterable[ApprovalAssignment], reason: Text) -> None:
        ctx = await self.context(request)
        for user_id in dict.fromkeys(a.user_id for a in closed):
            await notices.closed(self.session, ctx, user_id, reason)

    async def recall(self, request: ApprovalRequest, actor_id: uuid.UUID) -> None:
        if request.state != "pending":
            raise not_pending()
        step = await self.active_step(request)
        pending = [a for a in await self.assignments(step) if a.state == "pending"] if step else []
        for assignment in pending:
            assignment.state = "closed"
        if step is not None:
            await self._complete_step(step, "cancelled")
        await self.event(request, "recalled", step=step, actor_id=actor_id)
        await self._finish(request, "recalled")
        name = (await self.context(request)).submitter_name
        await self._tell_closed(request, pending, t(f"{name} recalled it.", f"{name} 已撤回申请。"))
        await self.session.flush()

    async def delegate_open(self, request: ApprovalRequest, delegator_id: uuid.UUID) -> bool:
        """Also ask a new delegate about the active step their delegator is waited on for."""
        if request.state != "pending" or request.submitter_id == delegator_id:
            return False
        step = await self.active_step(request)
        if step is None:
            return False
        everyone = await self.assignments(step)
        theirs = [a for a in everyone if a.user_id == delegator_id and a.state == "pending"]
        directory = await self.directory()
        seat = routing.delegate_of(delegator_id, request.submitter_id, directory)
        if not theirs or seat is None:
            return False
        taken = {(a.user_id, a.slot) for a in everyone}
        added = False
        for assignment in theirs:
            if (seat.user_id, assignment.slot) in taken:
                continue
            self._assign(request, step, assignment.slot, seat)
            added = True
            await self.event(
                request, "delegated", step=step, actor_id=seat.user_id, on_behalf_of_id=delegator_id,
                delegation_id=seat.delegation_id, slot=assignment.slot,
            )  # fmt: skip
        if added:
            request.updated_at = self.now
            await self.session.flush()
            await self._ask(request, step, [seat], escalated=False)
        return added

    # --- escalation ----------------------------------------------------------------------------------------

    async def escalate(self, request: ApprovalRequest, step_id: uuid.UUID) -> bool:
        """Hand an overdue step also to the managers of the approvers who have not acted; once per step.

        The step is claimed by a conditional update, so concurrent or repeated runs escalate it once.
        """
        if request.state != "pending":
            return False
        claimed = await self.session.execute(
            update(ApprovalStep)
            .where(ApprovalStep.id == step_id, ApprovalStep.escalated_at.is_(None), ApprovalStep.state == "active")
            .values(escalated_at=self.now)
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount != 1:
            return False
        step = await self.session.get(ApprovalStep, step_id, populate_existing=True)
        assert step is not None
        request.updated_at = self.now
        everyone = await self.assignments(step)
        done = {a.slot for a in everyone if a.state in DONE}
        taken = {a.user_id for a in everyone}
        submitter = await self._submitter(request)
        directory = await self.directory()
        added: list[tuple[int, routing.Seat]] = []
        for slot in sorted({a.slot for a in everyone} - done):
            waiting = [
                routing.Seat(a.user_id, a.on_behalf_of_id, a.via)
                for a in everyone
                if a.slot == slot and a.state == "pending"
            ]
            for seat in routing.escalation_seats(waiting, taken, submitter, directory):
                taken.add(seat.user_id)
                added.append((slot, seat))
                self._assign(request, step, slot, seat)
        passed_over = list(dict.fromkeys(a.user_id for a in everyone if a.state == "pending" and a.slot not in done))
        await self.event(
            request, "escalated", step=step, to=[_seat_data(s) | {"slot": slot} for slot, s in added],
            passed_over=[str(u) for u in passed_over], overdue_s=_seconds(step.due_at, self.now),
        )  # fmt: skip
        await self.session.flush()
        await self._ask(request, step, [s for _, s in added], escalated=True)
        names = [directory.name(s.user_id) or "" for _, s in added]
        ctx = await self.context(request)
        if added:
            for user_id in passed_over:
                await notices.escalated(self.session, ctx, user_id, step.sla_hours, names)
        return True


OUTCOME_TEXT: dict[str, Text] = {
    "rejected": t("{name} rejected it.", "{name} 已拒绝。"),
    "changes_requested": t("{name} asked for changes.", "{name} 要求修改。"),
}


def _seat_data(seat: routing.Seat) -> dict[str, Any]:
    return {
        "user_id": str(seat.user_id),
        "on_behalf_of_id": str(seat.on_behalf_of_id) if seat.on_behalf_of_id else None,
        "via": seat.via,
    }


def _plain(data: dict[str, Any]) -> dict[str, Any]:
    return {k: (str(v) if isinstance(v, uuid.UUID) else v) for k, v in data.items() if v is not None}
