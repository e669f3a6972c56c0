"""What approvals tell people, in both languages, through notify().

Every notification about a request carries the tag ``approval:<id>``, so a newer one replaces an older one on
the device: when someone else decides, the approvers who were asked get an ``approval.closed`` without buttons
in place of the stale ``approval.requested``. Escalation notices to the approver passed over use their own tag
so that their still-working buttons stay.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from api.approvals.policies import SUBJECT_NAMES, money
from api.approvals.tokens import TOKEN_TTL_S
from api.db.models import ApprovalRequest
from api.lib.i18n import Text, t
from api.notifications.service import notify

REQUESTED = "approval.requested"
DECIDED = "approval.decided"
ESCALATED = "approval.escalated"
CLOSED = "approval.closed"
ACTIONS: tuple[tuple[str, Text], ...] = (("approve", t("Approve", "批准")), ("reject", t("Reject", "拒绝")))
OUTCOMES: dict[str, Text] = {
    "approved": t("Approved", "已批准"),
    "rejected": t("Rejected", "已拒绝"),
    "changes_requested": t("Changes requested", "需要修改"),
}


@dataclass(frozen=True)
class Context:
    """What a message about one request names: the deal, the customer and the people."""

    request: ApprovalRequest
    opportunity_name: str
    account_name: str
    submitter_name: str


def url_of(request_id: uuid.UUID) -> str:
    return f"/approvals/{request_id}"


def tag_of(request_id: uuid.UUID) -> str:
    return f"approval:{request_id}"


def _figures(request: ApprovalRequest) -> Text:
    en, zh = [], []
    if request.discount_pct is not None:
        en.append(f"{request.discount_pct:g} % off")
        zh.append(f"折扣 {request.discount_pct:g}%")
    if request.amount is not None:
        en.append(money(request.amount, request.currency))
        zh.append(money(request.amount, request.currency))
    if request.payment_terms_days is not None:
        en.append(f"{request.payment_terms_days} days to pay")
        zh.append(f"账期 {request.payment_terms_days} 天")
    return t(", ".join(en), "，".join(zh))


def _subject(ctx: Context) -> Text:
    name = SUBJECT_NAMES.get(ctx.request.subject_type, t(ctx.request.subject_type, ctx.request.subject_type))
    return t(name["en"].capitalize(), name["zh"])


def _data(ctx: Context, step_id: uuid.UUID | None = None) -> dict[str, object]:
    data: dict[str, object] = {
        "approval_id": str(ctx.request.id),
        "subject_type": ctx.request.subject_type,
        "opportunity_id": str(ctx.request.opportunity_id),
        "state": ctx.request.state,
        "revision": ctx.request.revision,
    }
    if step_id is not None:
        data["step_id"] = str(step_id)
    return data


async def requested(
    session: AsyncSession,
    ctx: Context,
    user_id: uuid.UUID,
    step_id: uuid.UUID,
    token: str | None,
    *,
    escalated: bool,
    on_behalf_of: str | None = None,
) -> None:
    """Ask one approver to decide, with Approve and Reject on the notification."""
    subject, figures = _subject(ctx), _figures(ctx.request)
    lead_en, lead_zh = ("Escalated to you: ", "升级给您：") if escalated else ("Approval needed: ", "待审批：")
    sep_en = f" — {figures['en']}" if figures["en"] else ""
    sep_zh = f"（{figures['zh']}）" if figures["zh"] else ""
    for_en = f" (for {on_behalf_of})" if on_behalf_of else ""
    for_zh = f"（代 {on_behalf_of} 审批）" if on_behalf_of else ""
    await notify(
        session,
        org_id=ctx.request.org_id,
        user_id=user_id,
        type=REQUESTED,
        title=t(f"{lead_en}{subject['en']}{sep_en}", f"{lead_zh}{subject['zh']}{sep_zh}"),
        body=t(
            f"{ctx.submitter_name} asks for {ctx.account_name} · {ctx.opportunity_name}{for_en}",
            f"{ctx.submitter_name} 为 {ctx.account_name} · {ctx.opportunity_name} 提交申请{for_zh}",
        ),
        url=url_of(ctx.request.id),
        tag=tag_of(ctx.request.id),
        actions=ACTIONS if token else (),
        action_token=token,
        data=_data(ctx, step_id),
        urgency="high",
        ttl_s=TOKEN_TTL_S,
    )


async def decided(session: AsyncSession, ctx: Context, decider_name: str, comment: str | None) -> None:
    """Tell the submitter the outcome (or that changes are wanted)."""
    outcome = OUTCOMES[ctx.request.state]
    subject = _subject(ctx)
    said_en = f": “{comment}”" if comment else "."
    said_zh = f"：“{comment}”" if comment else "。"
    await notify(
        session,
        org_id=ctx.request.org_id,
        user_id=ctx.request.submitter_id,
        type=DECIDED,
        title=t(
            f"{outcome['en']}: {subject['en']} for {ctx.account_name}",
            f"{outcome['zh']}：{ctx.account_name} 的{subject['zh']}申请",
        ),
        body=t(
            f"{decider_name} on {ctx.opportunity_name}{said_en}", f"{decider_name} · {ctx.opportunity_name}{said_zh}"
        ),
        url=url_of(ctx.request.id),
        tag=tag_of(ctx.request.id),
        data=_data(ctx),
        urgency="high",
    )


async def closed(session: AsyncSession, ctx: Context, user_id: uuid.UUID, reason: Text) -> None:
    """Replace an approver's outdated request notification: their decision is no longer needed."""
    subject = _subject(ctx)
    await notify(
        session,
        org_id=ctx.request.org_id,
        user_id=user_id,
        type=CLOSED,
        title=t(f"No action needed: {subject['en']}", f"无需处理：{subject['zh']}申请"),
        body=t(
            f"{ctx.account_name} · {ctx.opportunity_name}: {reason['en']}",
            f"{ctx.account_name} · {ctx.opportunity_name}：{reason['zh']}",
        ),
        url=url_of(ctx.request.id),
        tag=tag_of(ctx.request.id),
        data=_data(ctx),
        urgency="low",
    )


async def escalated(
    session: AsyncSession, ctx: Context, user_id: uuid.UUID, sla_hours: int, to_names: list[str]
) -> None:
    """Tell an approver that their step passed its deadline and went to someone else too."""
    subject = _subject(ctx)
    names = ", ".join(to_names)
    await notify(
        session,
        org_id=ctx.request.org_id,
        user_id=user_id,
        type=ESCALATED,
        title=t(
            f"Escalated: {subject['en']} for {ctx.account_name}", f"已升级：{ctx.account_name} 的{subject['zh']}申请"
        ),
        body=t(
            f"Not decided within {sla_hours} h; now also with {names}.",
            f"{sla_hours} 小时内未审批，已同时转给 {names}。",
        ),
        url=url_of(ctx.request.id),
        tag=f"{tag_of(ctx.request.id)}:escalated",
        data=_data(ctx),
        urgency="normal",
    )
