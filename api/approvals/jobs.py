"""Scheduled approval work: escalating steps past their SLA."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from api.approvals.workflow import Workflow
from api.db.models import ApprovalRequest, ApprovalStep
from api.db.types import utcnow
from worker.jobs import JobContext, job

BATCH = 200


@job("approvals.escalate", every_s=60)
async def escalate_overdue(ctx: JobContext, now: datetime | None = None) -> int:
    """Escalate each active step past its due time, once, each in its own transaction; returns how many."""
    now = now or utcnow()
    async with ctx.db.sessionmaker() as session:
        due = (
            await session.execute(
                select(ApprovalStep.id, ApprovalStep.request_id, ApprovalStep.org_id)
                .join(ApprovalRequest, ApprovalRequest.id == ApprovalStep.request_id)
                .where(
                    ApprovalStep.state == "active",
                    ApprovalStep.due_at <= now,
                    ApprovalStep.escalated_at.is_(None),
                    ApprovalRequest.state == "pending",
                )
                .order_by(ApprovalStep.due_at)
                .limit(BATCH)
            )
        ).all()
    escalated = 0
    for step_id, request_id, org_id in due:
        async with ctx.db.sessionmaker() as session:
            workflow = Workflow(session, org_id, now)
            request = await workflow.lock(request_id)
            if request is not None and await workflow.escalate(request, step_id):
                await session.commit()
                escalated += 1
            else:
                await session.rollback()
    return escalated
