"""Approvals waiting in the demo: reps' requests submitted through the real workflow, so routing is live."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.approvals.defaults import ensure_default_policies
from api.approvals.schemas import ApprovalCreate
from api.approvals.service import ApprovalService
from api.db.models import ApprovalRequest, Opportunity, Stage, User
from api.demo.generate import demo_id
from api.lib.auth import Principal

# (subject, discount %, payment terms in days, note): each one triggers a different default policy.
REQUESTS = (
    ("discount", 12.0, None, "客户要求年度框架价，竞品低 8%。Framework price wanted; the rival is 8 % lower."),
    ("discount", 28.0, None, "三年合同，首年让利换取续约。Three-year deal: a first-year discount for the renewal."),
    ("quote", 15.0, 120, "大客户账期 120 天，分三期付款。Key account asks for 120-day terms in three instalments."),
    ("discount", 18.0, None, "批量采购 500 台，申请阶梯价。Volume order of 500 units, asking for tiered pricing."),
    ("contract", None, 100, "客户法务要求修改违约条款及账期。Customer legal asks for new liability terms, 100 days."),
    ("discount", 11.0, None, "季度末成单，客户要求小幅让利。Closing at quarter end; a small concession requested."),
)


def _principal(user: User) -> Principal:
    """The rep as the workflow sees a signed-in caller (the demo acts on their behalf)."""
    return Principal(
        user_id=user.id, org_id=user.org_id, session_id=uuid.UUID(int=0), email=user.email, name=user.name,
        team_id=user.team_id, manager_id=user.manager_id, roles=tuple(user.roles), locale=user.locale,
        timezone=user.timezone, visible_owner_ids=frozenset({user.id}),
    )  # fmt: skip


async def load_demo_approvals(session: AsyncSession, org_id: uuid.UUID, plan_key: str) -> int:
    """The default policies, and a few requests waiting for managers, finance and legal (once)."""
    await ensure_default_policies(session, org_id)
    existing = select(func.count()).select_from(ApprovalRequest).where(ApprovalRequest.org_id == org_id)
    if (await session.execute(existing)).scalar_one():
        return 0
    open_deals = (
        await session.execute(
            select(Opportunity, User)
            .join(User, User.id == Opportunity.owner_id)
            .join(Stage, (Stage.org_id == Opportunity.org_id) & (Stage.key == Opportunity.stage))
            .where(Opportunity.org_id == org_id, Stage.kind == "open", User.manager_id.is_not(None))
            .order_by(Opportunity.amount.desc(), Opportunity.id)
        )
    ).all()
    chosen: list[tuple[Opportunity, User]] = []
    for deal, owner in open_deals:  # one request per rep, the biggest deals first
        if owner.id not in {o.id for _, o in chosen}:
            chosen.append((deal, owner))
    for (deal, owner), (subject, discount, terms, note) in zip(chosen, REQUESTS, strict=False):
        data = ApprovalCreate(
            id=demo_id(plan_key, "approval", str(deal.id)),
            subject_type=subject,
            opportunity_id=deal.id,
            discount_pct=discount,
            amount=deal.amount,
            payment_terms_days=terms,
            note=note,
        )
        await ApprovalService(session, _principal(owner)).submit(data)
    return min(len(chosen), len(REQUESTS))
