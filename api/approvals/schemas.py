"""Approval bodies: policies, requests, decisions, notification actions and delegations."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

import msgspec
from msgspec import UNSET, UnsetType

from api.lib.schema import Out, Schema

SubjectType = Literal["discount", "quote", "contract", "stage_gate"]
RequestState = Literal["pending", "approved", "rejected", "changes_requested", "recalled"]
Decision = Literal["approve", "reject", "request_changes"]
Box = Literal["inbox", "outbox"]
Role = Literal["rep", "manager", "approver", "finance", "legal", "cs", "admin"]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Percent = Annotated[float, msgspec.Meta(ge=0, le=100, description="0 to 100")]
Money = Annotated[int, msgspec.Meta(ge=0, le=10**15, description="minor units (fen for CNY)")]
Days = Annotated[int, msgspec.Meta(ge=0, le=3650)]
Comment = Annotated[str, msgspec.Meta(max_length=2000)]


# --- policies -------------------------------------------------------------------------------------------------


class ApproverRule(Schema, kw_only=True):
    """Who decides: anyone with a role, one named user, or the submitter's manager."""

    kind: Literal["role", "user", "manager"]
    role: Role | None = None
    user_id: uuid.UUID | None = None


class StepRule(Schema, kw_only=True):
    """One step: ``any`` one of the approvers decides, or ``all`` of them (one person per listed approver)."""

    approvers: Annotated[list[ApproverRule], msgspec.Meta(min_length=1, max_length=10)]
    mode: Literal["any", "all"] = "any"
    sla_hours: Annotated[int, msgspec.Meta(ge=1, le=720)] = 24


class Conditions(Schema, kw_only=True):
    """When a policy applies. ``subject_types`` and ``product_ids`` narrow it (empty: any); the thresholds
    ("over" means strictly above) trigger it, ``all`` of those set or ``any`` one. With no threshold set,
    every request that passes the narrowing triggers it."""

    subject_types: Annotated[list[SubjectType], msgspec.Meta(max_length=4)] = msgspec.field(default_factory=list)
    product_ids: Annotated[list[uuid.UUID], msgspec.Meta(max_length=100)] = msgspec.field(default_factory=list)
    discount_pct_over: Percent | None = None
    amount_over: Money | None = None
    payment_terms_days_over: Days | None = None
    match: Literal["all", "any"] = "all"


class PolicyCreate(Schema, kw_only=True):
    id: uuid.UUID | UnsetType = UNSET
    name_en: Name
    name_zh: Name
    position: Annotated[int, msgspec.Meta(ge=0, le=10_000)] = 0
    active: bool = True
    conditions: Conditions
    steps: Annotated[list[StepRule], msgspec.Meta(min_length=1, max_length=10)]


class PolicyReplace(Schema, kw_only=True):
    name_en: Name
    name_zh: Name
    position: Annotated[int, msgspec.Meta(ge=0, le=10_000)] = 0
    active: bool = True
    conditions: Conditions
    steps: Annotated[list[StepRule], msgspec.Meta(min_length=1, max_length=10)]


class PolicyUpdate(Schema, kw_only=True):
    name_en: Name | UnsetType = UNSET
    name_zh: Name | UnsetType = UNSET
    position: Annotated[int, msgspec.Meta(ge=0, le=10_000)] | UnsetType = UNSET
    active: bool | UnsetType = UNSET
    conditions: Conditions | UnsetType = UNSET
    steps: Annotated[list[StepRule], msgspec.Meta(min_length=1, max_length=10)] | UnsetType = UNSET


class Policy(Out, kw_only=True):
    id: uuid.UUID
    name_en: str
    name_zh: str
    position: int
    active: bool
    conditions: Conditions
    steps: list[StepRule]
    version: int
    created_at: datetime
    updated_at: datetime


class PolicyList(Out, kw_only=True):
    items: list[Policy]


# --- requests -------------------------------------------------------------------------------------------------


class ApprovalCreate(Schema, kw_only=True):
    id: uuid.UUID | UnsetType = UNSET
    subject_type: SubjectType
    opportunity_id: uuid.UUID
    discount_pct: Percent | None = None
    amount: Money | None = None
    payment_terms_days: Days | None = None
    note: Comment | None = None


class ApprovalResubmit(Schema, kw_only=True):
    """New figures after changes were requested (or after a recall); fields left out keep their value."""

    discount_pct: Percent | None | UnsetType = UNSET
    amount: Money | None | UnsetType = UNSET
    payment_terms_days: Days | None | UnsetType = UNSET
    note: Comment | None | UnsetType = UNSET


class DecisionIn(Schema, kw_only=True):
    decision: Decision
    comment: Comment | None = None


class ActionIn(Schema, kw_only=True):
    """A notification's action button: the single-use token stands in for the sign-in."""

    token: Annotated[str, msgspec.Meta(min_length=1, max_length=300)]
    decision: Decision
    comment: Comment | None = None


class ActionResult(Out, kw_only=True):
    approval_id: uuid.UUID
    decision: Decision
    state: RequestState


class Reason(Out, kw_only=True):
    """One condition that held: ``value`` is over ``threshold`` (or, for narrowing, is among them)."""

    field: str
    threshold: Any
    value: Any
    text: str


class TriggeredRule(Out, kw_only=True):
    policy_id: uuid.UUID | None
    name: str
    reasons: list[Reason]


class Margin(Out, kw_only=True):
    """Price against the catalogue: the line items' list value and what the customer would pay."""

    list_amount: int
    quoted_amount: int
    requested_amount: int | None
    below_list_pct: float
    priced_lines: int
    total_lines: int


class Approver(Out, kw_only=True):
    user_id: uuid.UUID
    name: str
    on_behalf_of_id: uuid.UUID | None
    on_behalf_of_name: str | None
    via: str
    slot: int
    state: str
    decided_at: datetime | None
    comment: str | None
    elapsed_s: int | None


class Step(Out, kw_only=True):
    id: uuid.UUID
    revision: int
    position: int
    policy_id: uuid.UUID | None
    policy_name: str
    mode: str
    rules: list[ApproverRule]
    sla_hours: int
    state: str
    activated_at: datetime | None
    due_at: datetime | None
    completed_at: datetime | None
    elapsed_s: int | None
    escalated_at: datetime | None
    approvers: list[Approver]


class ApprovalSummary(Out, kw_only=True):
    """A row of the inbox or outbox: enough to decide a simple request from the list."""

    id: uuid.UUID
    subject_type: SubjectType
    state: RequestState
    revision: int
    opportunity_id: uuid.UUID
    opportunity_name: str
    opportunity_stage: str
    account_id: uuid.UUID
    account_name: str
    submitter_id: uuid.UUID
    submitter_name: str
    discount_pct: float | None
    amount: int | None
    deal_amount: int
    currency: str
    payment_terms_days: int | None
    note: str | None
    rules: list[TriggeredRule]
    margin: Margin | None
    current_step: int | None
    current_approver_ids: list[uuid.UUID]
    awaiting_me: bool
    due_at: datetime | None
    submitted_at: datetime
    decided_at: datetime | None
    updated_at: datetime
    version: int
    steps: list[Step]


class LineItem(Out, kw_only=True):
    product_id: uuid.UUID | None
    product_name: str | None
    description: str | None
    quantity: int
    unit_price: int
    list_price: int | None
    discount_pct: float
    amount: int


class StageStay(Out, kw_only=True):
    stage: str
    entered_at: datetime
    left_at: datetime | None
    changed_by: uuid.UUID | None


class FieldChange(Out, kw_only=True):
    field: str
    old_value: Any
    new_value: Any
    changed_by: uuid.UUID | None
    changed_at: datetime


class History(Out, kw_only=True):
    """The opportunity's recent stage stays and field changes."""

    stages: list[StageStay]
    changes: list[FieldChange]


class Event(Out, kw_only=True):
    at: datetime
    kind: str
    revision: int
    step_position: int | None
    actor_id: uuid.UUID | None
    actor_name: str | None
    on_behalf_of_id: uuid.UUID | None
    on_behalf_of_name: str | None
    decision: str | None
    comment: str | None
    data: dict[str, Any]


class Approval(ApprovalSummary, kw_only=True):
    """One request with everything needed to decide it on one screen."""

    close_date: date | None
    probability: int
    line_items: list[LineItem]
    history: History
    decisions: list[Event]
    timeline: list[Event]


# --- delegations ----------------------------------------------------------------------------------------------


class DelegationCreate(Schema, kw_only=True):
    id: uuid.UUID | UnsetType = UNSET
    # Admins may set up a delegation for someone else; everyone else delegates their own approvals.
    user_id: uuid.UUID | UnsetType = UNSET
    delegate_id: uuid.UUID
    starts_on: date
    ends_on: date
    note: Annotated[str, msgspec.Meta(max_length=500)] | None = None


class Delegation(Out, kw_only=True):
    id: uuid.UUID
    user_id: uuid.UUID
    user_name: str
    delegate_id: uuid.UUID
    delegate_name: str
    starts_on: date
    ends_on: date
    note: str | None
    active_now: bool
    created_at: datetime


class DelegationList(Out, kw_only=True):
    items: list[Delegation]
