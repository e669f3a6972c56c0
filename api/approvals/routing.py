"""Who decides a step: approver rules resolved to people, with delegation, fallback and escalation.

- A rule names a role (anyone active with it), a user, or the submitter's manager. The submitter is never
  among the approvers of their own request.
- An "any" step has one slot that any one of its people fills; an "all" step has one slot per rule, each
  filled by any one person matching that rule.
- A slot nobody can fill (no one with the role, no manager) falls back to the submitter's manager, then to the
  org's admins; the assignment says ``via: fallback``.
- A person away on a delegation that covers today (in their time zone) is replaced by their delegate, who
  decides on their behalf; chains are followed a few hops, never to the submitter and never in a circle.
- A step past its SLA is escalated to the manager of each approver who has not acted (or to the admins).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.db.models import ApprovalDelegation, User
from api.db.types import utcnow
from api.lib.errors import AppError
from api.lib.i18n import t

MAX_DELEGATION_HOPS = 3


@dataclass(frozen=True)
class Person:
    id: uuid.UUID
    name: str
    roles: tuple[str, ...]
    manager_id: uuid.UUID | None
    timezone: str

    def today(self, now: datetime) -> date:
        try:
            return now.astimezone(ZoneInfo(self.timezone)).date()
        except (KeyError, ValueError):
            return now.date()


@dataclass(frozen=True)
class Seat:
    """A person asked to decide a slot, and for whom (a delegator or the approver escalated past)."""

    user_id: uuid.UUID
    on_behalf_of_id: uuid.UUID | None = None
    via: str = "policy"
    delegation_id: uuid.UUID | None = None


class Directory:
    """The org's active people and today's delegations, read once per operation."""

    def __init__(self, people: Iterable[Person], delegations: Iterable[ApprovalDelegation], now: datetime) -> None:
        self.people = {p.id: p for p in people}
        self.now = now
        self.delegations: dict[uuid.UUID, ApprovalDelegation] = {}
        for delegation in delegations:
            person = self.people.get(delegation.user_id)
            if person and delegation.starts_on <= person.today(now) <= delegation.ends_on:
                self.delegations.setdefault(delegation.user_id, delegation)

    @classmethod
    async def load(cls, session: AsyncSession, org_id: uuid.UUID, now: datetime | None = None) -> Directory:
        now = now or utcnow()
        users = await session.execute(
            select(User.id, User.name, User.roles, User.manager_id, User.timezone).where(
                User.org_id == org_id, User.is_active
            )
        )
        people = [Person(u.id, u.name, tuple(u.roles or ()), u.manager_id, u.timezone) for u in users]
        delegations = await session.execute(
            select(ApprovalDelegation).where(
                ApprovalDelegation.org_id == org_id,
                ApprovalDelegation.cancelled_at.is_(None),
                # A day of slack for time zones; each delegator's own date is checked exactly below.
                ApprovalDelegation.ends_on >= now.date() - timedelta(days=1),
            )
        )
        return cls(people, delegations.scalars(), now)

    def get(self, user_id: uuid.UUID | None) -> Person | None:
        return self.people.get(user_id) if user_id else None

    def with_role(self, role: str) -> list[Person]:
        return sorted((p for p in self.people.values() if role in p.roles), key=lambda p: (p.name, str(p.id)))

    def name(self, user_id: uuid.UUID | None) -> str | None:
        person = self.get(user_id)
        return person.name if person else None


def no_approver() -> AppError:
    return AppError(
        422,
        "no-approver",
        t("No approver available", "没有可用的审批人"),
        t(
            "Nobody in your organisation can decide this request; ask an admin to check the approval policies.",
            "组织中没有人可以审批该申请，请联系管理员检查审批规则。",
        ),
    )


def _candidates(rule: dict[str, Any], submitter: Person, directory: Directory) -> list[uuid.UUID]:
    kind = rule.get("kind")
    if kind == "role":
        people = [p.id for p in directory.with_role(str(rule.get("role")))]
    elif kind == "user":
        people = [p.id for p in [directory.get(_uuid(rule.get("user_id")))] if p]
    else:
        people = [p.id for p in [directory.get(submitter.manager_id)] if p]
    return [p for p in people if p != submitter.id]


def _uuid(value: object) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value)) if value else None
    except ValueError:
        return None


def _fallback(submitter: Person, directory: Directory) -> list[uuid.UUID]:
    manager = directory.get(submitter.manager_id)
    if manager and manager.id != submitter.id:
        return [manager.id]
    return [p.id for p in directory.with_role("admin") if p.id != submitter.id]


def delegate_of(user_id: uuid.UUID, submitter_id: uuid.UUID, directory: Directory) -> Seat | None:
    """Where a request for ``user_id`` goes while they are away, or None when it stays with them."""
    current, seen, via = user_id, {user_id}, None
    for _ in range(MAX_DELEGATION_HOPS):
        delegation = directory.delegations.get(current)
        if delegation is None:
            break
        target = delegation.delegate_id
        if target in seen or target == submitter_id or directory.get(target) is None:
            break
        seen.add(target)
        current, via = target, delegation
    if via is None:
        return None
    return Seat(current, on_behalf_of_id=user_id, via="delegation", delegation_id=via.id)


def _seat(user_id: uuid.UUID, via: str, submitter: Person, directory: Directory) -> Seat:
    return delegate_of(user_id, submitter.id, directory) or Seat(user_id, via=via)


def _unique(seats: Iterable[Seat]) -> list[Seat]:
    """One seat per person; a person asked directly is not also asked on someone's behalf."""
    kept: dict[uuid.UUID, Seat] = {}
    for seat in seats:
        if seat.user_id not in kept or (kept[seat.user_id].on_behalf_of_id and not seat.on_behalf_of_id):
            kept[seat.user_id] = seat
    return list(kept.values())


def slots(mode: str, rules: Sequence[dict[str, Any]], submitter: Person, directory: Directory) -> list[list[Seat]]:
    """The seats of each slot of a step; raises no-approver when a slot can be filled by nobody."""
    groups = [list(rules)] if mode == "any" or len(rules) == 1 else [[rule] for rule in rules]
    result = []
    for group in groups:
        people = [p for rule in group for p in _candidates(rule, submitter, directory)]
        via = "policy"
        if not people:
            people, via = _fallback(submitter, directory), "fallback"
        if not people:
            raise no_approver()
        result.append(_unique(_seat(p, via, submitter, directory) for p in dict.fromkeys(people)))
    return result


def escalation_seats(
    waiting: Sequence[Seat], taken: set[uuid.UUID], submitter: Person, directory: Directory
) -> list[Seat]:
    """Who a slot escalates to: the manager of each approver who has not acted, else the admins."""
    pairs: list[tuple[uuid.UUID, uuid.UUID]] = []  # (escalated to, approver escalated past)
    for seat in waiting:
        approver_id = seat.on_behalf_of_id or seat.user_id
        approver = directory.get(approver_id)
        manager = directory.get(approver.manager_id) if approver else None
        if manager and manager.id != submitter.id and manager.id not in taken:
            pairs.append((manager.id, approver_id))
    if not pairs and waiting:
        approver_id = waiting[0].on_behalf_of_id or waiting[0].user_id
        admins = [p.id for p in directory.with_role("admin") if p.id != submitter.id and p.id not in taken]
        pairs = [(admin, approver_id) for admin in admins]
    seats = []
    for target, approver_id in dict.fromkeys(pairs):
        routed = delegate_of(target, submitter.id, directory)
        user_id = routed.user_id if routed and routed.user_id not in taken else target
        seats.append(Seat(user_id, on_behalf_of_id=approver_id, via="escalation"))
    return _unique(seats)
