"""Approval policies: which requests need approval, and the steps that decide them.

Every active policy of the org is checked, in ``position`` order. A request's steps are the steps of all the
policies it matches, in that order, where a step that repeats an earlier one exactly (same approvers, same
mode) is kept once, with the shorter SLA. So a 30 % discount, which matches both "over 10 % → manager" and
"over 25 % → manager, then finance", goes to the manager once, then to finance. An approver who already
approved this revision in an earlier step is not asked again: routing counts that approval (see routing).

A request that matches no policy needs no approval: it is approved at once, and its timeline says why.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.approvals.schemas import ApproverRule, Conditions, PolicyCreate, PolicyReplace, PolicyUpdate, StepRule
from api.db.models import ApprovalPolicy, Product, User
from api.db.types import utcnow
from api.lib.auth import Principal
from api.lib.concurrency import check_version
from api.lib.errors import FieldProblem, forbidden, not_found, validation_failed
from api.lib.i18n import Text, render, t
from api.lib.schema import provided

THRESHOLDS = ("discount_pct", "amount", "payment_terms_days")
REASON_TEXTS: dict[str, Text] = {
    "discount_pct": t("Discount {value} % is over {threshold} %", "折扣 {value}% 超过 {threshold}%"),
    "amount": t("Amount {value} is over {threshold}", "金额 {value} 超过 {threshold}"),
    "payment_terms_days": t(
        "Payment terms of {value} days are over {threshold} days", "账期 {value} 天超过 {threshold} 天"
    ),
    "subject_type": t("Every {value} request", "所有“{value}”申请"),
    "product_ids": t("The deal includes a listed product", "商机包含指定产品"),
}
SUBJECT_NAMES: dict[str, Text] = {
    "discount": t("discount", "折扣"),
    "quote": t("quote", "报价"),
    "contract": t("contract", "合同"),
    "stage_gate": t("stage gate", "阶段评审"),
}


@dataclass(frozen=True)
class Facts:
    """What the policies look at: the request's figures, falling back to the opportunity's."""

    subject_type: str
    discount_pct: float | None
    amount: int | None
    payment_terms_days: int | None
    currency: str = "CNY"
    product_ids: frozenset[uuid.UUID] = frozenset()


@dataclass(frozen=True)
class PlannedStep:
    """A step of a request, before anyone is routed to it."""

    policy_id: uuid.UUID | None
    policy_name_en: str
    policy_name_zh: str
    mode: str
    approvers: list[dict[str, Any]]
    sla_hours: int


@dataclass
class Match:
    policy: ApprovalPolicy
    reasons: list[dict[str, Any]] = field(default_factory=list)


def _over(value: float | int | None, threshold: float | int | None) -> bool:
    return threshold is not None and value is not None and value > threshold


def match(conditions: Conditions, facts: Facts) -> list[dict[str, Any]] | None:
    """The reasons a policy with these conditions applies to the facts, or None when it does not."""
    if conditions.subject_types and facts.subject_type not in conditions.subject_types:
        return None
    if conditions.product_ids and not facts.product_ids & set(conditions.product_ids):
        return None
    checks = [
        (name, getattr(conditions, f"{name}_over"), getattr(facts, name))
        for name in THRESHOLDS
        if getattr(conditions, f"{name}_over") is not None
    ]
    held = [{"field": name, "threshold": limit, "value": value} for name, limit, value in checks if _over(value, limit)]
    if checks:
        if conditions.match == "all" and len(held) < len(checks):
            return None
        if not held:
            return None
        return held
    # No thresholds: the narrowing alone triggers the policy.
    if conditions.product_ids:
        return [{"field": "product_ids", "threshold": [str(p) for p in conditions.product_ids], "value": None}]
    return [{"field": "subject_type", "threshold": list(conditions.subject_types), "value": facts.subject_type}]


def conditions_of(policy: ApprovalPolicy) -> Conditions:
    return msgspec.convert(policy.conditions or {}, Conditions)


def steps_of(policy: ApprovalPolicy) -> list[StepRule]:
    return msgspec.convert(policy.steps or [], list[StepRule])


def matching(policies: Sequence[ApprovalPolicy], facts: Facts) -> list[Match]:
    """The active policies that apply, in their order."""
    found = []
    for policy in sorted(policies, key=lambda p: (p.position, p.created_at, str(p.id))):
        if not policy.active:
            continue
        reasons = match(conditions_of(policy), facts)
        if reasons is not None:
            found.append(Match(policy, reasons))
    return found


def _step_key(step: StepRule) -> tuple[str, tuple[tuple[str, str, str], ...]]:
    approvers = sorted((a.kind, a.role or "", str(a.user_id or "")) for a in step.approvers)
    return step.mode if len(approvers) > 1 else "any", tuple(approvers)


def plan(matches: Sequence[Match]) -> list[PlannedStep]:
    """The steps of all matched policies in order, an exact repeat of an earlier step kept once."""
    planned: list[PlannedStep] = []
    seen: dict[tuple[str, tuple[tuple[str, str, str], ...]], int] = {}
    for found in matches:
        for rule in steps_of(found.policy):
            key = _step_key(rule)
            if key in seen:
                index = seen[key]
                earlier = planned[index]
                if rule.sla_hours < earlier.sla_hours:
                    planned[index] = PlannedStep(**{**earlier.__dict__, "sla_hours": rule.sla_hours})
                continue
            seen[key] = len(planned)
            planned.append(
                PlannedStep(
                    policy_id=found.policy.id,
                    policy_name_en=found.policy.name_en,
                    policy_name_zh=found.policy.name_zh,
                    mode=rule.mode,
                    approvers=[msgspec.to_builtins(a) for a in rule.approvers],
                    sla_hours=rule.sla_hours,
                )
            )
    return planned


def snapshot(matches: Sequence[Match]) -> list[dict[str, Any]]:
    """What a request keeps of the policies that triggered it (policies may change or go later)."""
    return [
        {"policy_id": str(m.policy.id), "name_en": m.policy.name_en, "name_zh": m.policy.name_zh, "reasons": m.reasons}
        for m in matches
    ]


def money(amount: int, currency: str) -> str:
    """Minor units as a person reads them: ¥1,234.56."""
    sign = "¥" if currency == "CNY" else f"{currency} "
    return f"{sign}{amount // 100:,}.{amount % 100:02d}"


def explain(reason: dict[str, Any], locale: str, currency: str) -> str:
    """A reason in the reader's language."""
    name = reason["field"]
    value, threshold = reason.get("value"), reason.get("threshold")
    if name == "amount":
        value, threshold = money(int(value or 0), currency), money(int(threshold or 0), currency)
    elif name == "subject_type":
        value = render(SUBJECT_NAMES.get(str(value), t(str(value), str(value))), locale)
    elif name == "discount_pct":
        value, threshold = f"{float(value or 0):g}", f"{float(threshold or 0):g}"
    return render(REASON_TEXTS.get(name, t(name, name)), locale, value=value, threshold=threshold)


class PolicyService:
    """Admins read and edit their org's policies."""

    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        if not principal.is_admin:
            raise forbidden()
        self.session = session
        self.principal = principal

    async def all(self) -> list[ApprovalPolicy]:
        stmt = select(ApprovalPolicy).where(ApprovalPolicy.org_id == self.principal.org_id)
        rows = (await self.session.execute(stmt)).scalars()
        return sorted(rows, key=lambda p: (p.position, p.created_at, str(p.id)))

    async def get(self, policy_id: uuid.UUID) -> ApprovalPolicy:
        stmt = select(ApprovalPolicy).where(
            ApprovalPolicy.id == policy_id, ApprovalPolicy.org_id == self.principal.org_id
        )
        policy = (await self.session.execute(stmt)).scalar_one_or_none()
        if policy is None:
            raise not_found()
        return policy

    async def create(self, data: PolicyCreate) -> ApprovalPolicy:
        await self._check(data.conditions, data.steps)
        now = utcnow()
        policy = ApprovalPolicy(
            id=data.id if data.id is not msgspec.UNSET else uuid.uuid4(),
            org_id=self.principal.org_id,
            name_en=data.name_en,
            name_zh=data.name_zh,
            position=data.position,
            active=data.active,
            conditions=msgspec.to_builtins(data.conditions),
            steps=msgspec.to_builtins(data.steps),
            created_at=now,
            updated_at=now,
        )
        self.session.add(policy)
        await self.session.flush()
        return policy

    async def replace(self, policy_id: uuid.UUID, expected_version: int, data: PolicyReplace) -> ApprovalPolicy:
        return await self._apply(policy_id, expected_version, {f: getattr(data, f) for f in data.__struct_fields__})

    async def update(self, policy_id: uuid.UUID, expected_version: int, data: PolicyUpdate) -> ApprovalPolicy:
        return await self._apply(policy_id, expected_version, provided(data))

    async def delete(self, policy_id: uuid.UUID) -> None:
        """Requests keep what they need of a deleted policy (its name and reasons) in their own rows."""
        await self.session.delete(await self.get(policy_id))
        await self.session.flush()

    async def _apply(self, policy_id: uuid.UUID, expected_version: int, changes: dict[str, Any]) -> ApprovalPolicy:
        policy = await self.get(policy_id)
        check_version(expected_version, policy.version)
        conditions = changes.get("conditions", conditions_of(policy))
        steps = changes.get("steps", steps_of(policy))
        await self._check(conditions, steps)
        for name, value in changes.items():
            setattr(policy, name, msgspec.to_builtins(value) if name in ("conditions", "steps") else value)
        policy.updated_at = utcnow()
        await self.session.flush()
        return policy

    async def _check(self, conditions: Conditions, steps: Sequence[StepRule]) -> None:
        """Named users and products must exist in the org; each approver names exactly what its kind needs."""
        problems: list[FieldProblem] = []
        for s, step in enumerate(steps):
            for a, approver in enumerate(step.approvers):
                problems += _approver_problems(f"steps[{s}].approvers[{a}]", approver)
        users = {a.user_id for step in steps for a in step.approvers if a.kind == "user" and a.user_id}
        if users:
            stmt = select(User.id).where(User.id.in_(users), User.org_id == self.principal.org_id, User.is_active)
            known = set((await self.session.execute(stmt)).scalars())
            for s, step in enumerate(steps):
                for a, approver in enumerate(step.approvers):
                    if approver.kind == "user" and approver.user_id and approver.user_id not in known:
                        problems.append(
                            FieldProblem(
                                f"steps[{s}].approvers[{a}].user_id",
                                "unknown",
                                t("No such active user in your org.", "本组织中没有该在职用户。"),
                            )
                        )
        if conditions.product_ids:
            stmt = select(Product.id).where(
                Product.id.in_(conditions.product_ids), Product.org_id == self.principal.org_id
            )
            known = set((await self.session.execute(stmt)).scalars())
            for index, product_id in enumerate(conditions.product_ids):
                if product_id not in known:
                    problems.append(
                        FieldProblem(
                            f"conditions.product_ids[{index}]",
                            "unknown",
                            t("No such product in your catalogue.", "产品目录中没有该产品。"),
                        )
                    )
        if problems:
            raise validation_failed(problems)


def _approver_problems(path: str, approver: ApproverRule) -> list[FieldProblem]:
    if approver.kind == "role" and approver.role is None:
        return [FieldProblem(f"{path}.role", "required", t("Name the role that decides.", "请指定审批角色。"))]
    if approver.kind == "user" and approver.user_id is None:
        return [FieldProblem(f"{path}.user_id", "required", t("Name the user who decides.", "请指定审批人。"))]
    extra = [
        name
        for name, used in (("role", approver.role is not None), ("user_id", approver.user_id is not None))
        if used and name != {"role": "role", "user": "user_id"}.get(approver.kind)
    ]
    return [
        FieldProblem(
            f"{path}.{name}", "not_allowed", t("Not used by this kind of approver.", "此类审批人不使用该字段。")
        )
        for name in extra
    ]
