"""Approvals: the org's policies, requests with their steps and approvers, the timeline, tokens and delegations."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from api.db.base import Base, IdMixin, TimestampMixin, VersionedMixin
from api.db.types import utcnow

SUBJECT_TYPES = ("discount", "quote", "contract", "stage_gate")
REQUEST_STATES = ("pending", "approved", "rejected", "changes_requested", "recalled")


class ApprovalPolicy(IdMixin, TimestampMixin, VersionedMixin, Base):
    """When a request needs approval (``conditions``) and who decides it, step by step (``steps``).

    Both are JSON validated by the policy schemas: policies are few per org and read whole, so nothing
    queries inside them.
    """

    __tablename__ = "approval_policies"
    __table_args__ = (Index("ix_approval_policies_org_id_position", "org_id", "position"),)
    __mapper_args__ = {"version_id_col": VersionedMixin.version}  # noqa: RUF012

    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    name_en: Mapped[str] = mapped_column(String(200))
    name_zh: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)
    conditions: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    steps: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)


class ApprovalRequest(IdMixin, TimestampMixin, VersionedMixin, Base):
    """A request for a decision on an opportunity; ``revision`` counts its submissions (1, then each resubmit)."""

    __tablename__ = "approval_requests"
    __table_args__ = (
        Index("ix_approval_requests_org_id_submitter_id_submitted_at", "org_id", "submitter_id", "submitted_at"),
        Index("ix_approval_requests_opportunity_id_state", "opportunity_id", "state"),
    )
    # Every decision updates the row, so two decisions racing on one request cannot both pass unnoticed.
    __mapper_args__ = {"version_id_col": VersionedMixin.version}  # noqa: RUF012

    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    opportunity_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("opportunities.id", ondelete="CASCADE"))
    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id"))
    submitter_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    subject_type: Mapped[str] = mapped_column(String(20))
    state: Mapped[str] = mapped_column(String(20), default="pending")
    discount_pct: Mapped[float | None]
    amount: Mapped[int | None] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    payment_terms_days: Mapped[int | None]
    note: Mapped[str | None] = mapped_column(Text)
    revision: Mapped[int] = mapped_column(default=1)
    # The policies that matched this revision and why, as they read at submission (policies change later).
    rules: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]


class ApprovalStep(IdMixin, Base):
    """One step of one revision: ``waiting`` until its turn, ``active`` while it collects decisions, then closed."""

    __tablename__ = "approval_steps"
    __table_args__ = (
        UniqueConstraint("request_id", "revision", "position"),
        # The escalation job scans active steps by due time.
        Index("ix_approval_steps_state_due_at", "state", "due_at"),
    )

    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    request_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("approval_requests.id", ondelete="CASCADE"))
    revision: Mapped[int]
    position: Mapped[int]
    policy_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("approval_policies.id", ondelete="SET NULL"))
    policy_name_en: Mapped[str] = mapped_column(String(200))
    policy_name_zh: Mapped[str] = mapped_column(String(200))
    mode: Mapped[str] = mapped_column(String(3))
    approvers: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    sla_hours: Mapped[int]
    state: Mapped[str] = mapped_column(String(20), default="waiting")
    activated_at: Mapped[datetime | None]
    due_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    # Seconds from activation to the decision that closed the step.
    elapsed_s: Mapped[int | None]
    escalated_at: Mapped[datetime | None]


class ApprovalAssignment(IdMixin, Base):
    """A person asked to decide one slot of a step (an "all of" step has one slot per approver it names)."""

    __tablename__ = "approval_assignments"
    __table_args__ = (
        Index("ix_approval_assignments_user_id_state", "user_id", "state"),
        Index("ix_approval_assignments_on_behalf_of_id", "on_behalf_of_id"),
    )

    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    request_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("approval_requests.id", ondelete="CASCADE"), index=True)
    step_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("approval_steps.id", ondelete="CASCADE"), index=True)
    slot: Mapped[int] = mapped_column(default=0)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    # Set when the request reached this person for someone else: the approver who delegated or was escalated.
    on_behalf_of_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    via: Mapped[str] = mapped_column(String(12), default="policy")
    state: Mapped[str] = mapped_column(String(20), default="pending")
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]
    # Seconds from the step's activation to this decision.
    elapsed_s: Mapped[int | None]


class ApprovalEvent(IdMixin, Base):
    """One line of a request's timeline: submitted, routed, delegated, decided, escalated, recalled, resubmitted."""

    __tablename__ = "approval_events"
    __table_args__ = (Index("ix_approval_events_request_id_at", "request_id", "at"),)

    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    request_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("approval_requests.id", ondelete="CASCADE"))
    step_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("approval_steps.id", ondelete="CASCADE"))
    revision: Mapped[int]
    kind: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    on_behalf_of_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    decision: Mapped[str | None] = mapped_column(String(20))
    comment: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    # Events written in one transaction share ``at``; the sequence keeps their order.
    seq: Mapped[int] = mapped_column(default=0)


class ApprovalActionToken(IdMixin, Base):
    """A single-use token in a notification: decides one step of one revision as one approver, until it expires."""

    __tablename__ = "approval_action_tokens"
    __table_args__ = (UniqueConstraint("step_id", "user_id"),)

    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    request_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("approval_requests.id", ondelete="CASCADE"), index=True)
    step_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("approval_steps.id", ondelete="CASCADE"))
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    revision: Mapped[int]
    # SHA-256 of the secret part; the secret itself is only ever in the notification.
    secret_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class ApprovalDelegation(IdMixin, Base):
    """While ``user_id`` is away (``starts_on`` to ``ends_on``, their local dates), ``delegate_id`` decides."""

    __tablename__ = "approval_delegations"
    __table_args__ = (Index("ix_approval_delegations_user_id_ends_on", "user_id", "ends_on"),)

    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    delegate_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(String(500))
    created_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Ended early by its owner; kept because assignments made through it name it in the timeline.
    cancelled_at: Mapped[datetime | None]
