"""Routing people to steps: slots, fallback, delegation and escalation targets, without a database."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest

from api.approvals import routing, tokens
from api.db.models import ApprovalDelegation
from api.lib.errors import AppError

NOW = datetime(2026, 11, 28, 3, 0, tzinfo=UTC)  # 11:00 in Shanghai


def person(name: str, roles: tuple[str, ...] = (), manager: routing.Person | None = None) -> routing.Person:
    return routing.Person(uuid.uuid4(), name, roles, manager.id if manager else None, "Asia/Shanghai")


ADMIN = person("admin", ("admin",))
BOSS = person("boss", ("manager",))
MANAGER = person("manager", ("manager", "approver"), BOSS)
REP = person("rep", ("rep",), MANAGER)
FINANCE = person("finance", ("finance",))
FINANCE_2 = person("finance2", ("finance",))
LEGAL = person("legal", ("legal",))
PEOPLE = [ADMIN, BOSS, MANAGER, REP, FINANCE, FINANCE_2, LEGAL]


def away(who: routing.Person, to: routing.Person, start: date, end: date) -> ApprovalDelegation:
    return ApprovalDelegation(id=uuid.uuid4(), user_id=who.id, delegate_id=to.id, starts_on=start, ends_on=end)


def directory(*delegations: ApprovalDelegation) -> routing.Directory:
    return routing.Directory(PEOPLE, delegations, NOW)


def users(slots: list[list[routing.Seat]]) -> list[set[uuid.UUID]]:
    return [{s.user_id for s in slot} for slot in slots]


def test_any_of_is_one_slot_and_all_of_one_slot_per_rule():
    rules = [{"kind": "role", "role": "finance"}, {"kind": "role", "role": "legal"}]
    assert users(routing.slots("any", rules, REP, directory())) == [{FINANCE.id, FINANCE_2.id, LEGAL.id}]
    assert users(routing.slots("all", rules, REP, directory())) == [{FINANCE.id, FINANCE_2.id}, {LEGAL.id}]
    assert users(routing.slots("any", [{"kind": "manager"}], REP, directory())) == [{MANAGER.id}]
    assert users(routing.slots("any", [{"kind": "user", "user_id": str(LEGAL.id)}], REP, directory())) == [{LEGAL.id}]


def test_the_submitter_is_never_asked_and_empty_slots_fall_back():
    [[seat]] = routing.slots(
        "any", [{"kind": "role", "role": "finance"}], FINANCE, routing.Directory([ADMIN, FINANCE], [], NOW)
    )
    assert (seat.user_id, seat.via) == (ADMIN.id, "fallback")
    [[seat]] = routing.slots("any", [{"kind": "role", "role": "cs"}], REP, directory())
    assert (seat.user_id, seat.via) == (MANAGER.id, "fallback")  # the submitter's manager first
    with pytest.raises(AppError) as refused:
        routing.slots("any", [{"kind": "manager"}], ADMIN, routing.Directory([ADMIN], [], NOW))
    assert refused.value.slug == "no-approver"


def test_delegation_covers_its_days_in_the_approvers_time_zone():
    today = date(2026, 11, 28)
    [[seat]] = routing.slots("any", [{"kind": "manager"}], REP, directory(away(MANAGER, FINANCE, today, today)))
    assert (seat.user_id, seat.on_behalf_of_id, seat.via) == (FINANCE.id, MANAGER.id, "delegation")
    later = away(MANAGER, FINANCE, date(2026, 11, 29), date(2026, 11, 30))
    assert users(routing.slots("any", [{"kind": "manager"}], REP, directory(later))) == [{MANAGER.id}]


def test_delegation_chains_stop_at_the_submitter_and_at_circles():
    today = date(2026, 11, 28)
    chain = directory(away(MANAGER, FINANCE, today, today), away(FINANCE, LEGAL, today, today))
    assert routing.delegate_of(MANAGER.id, REP.id, chain) == routing.Seat(
        LEGAL.id, MANAGER.id, "delegation", chain.delegations[FINANCE.id].id
    )
    assert routing.delegate_of(MANAGER.id, REP.id, directory(away(MANAGER, REP, today, today))) is None
    circle = directory(away(MANAGER, FINANCE, today, today), away(FINANCE, MANAGER, today, today))
    assert routing.delegate_of(MANAGER.id, REP.id, circle).user_id == FINANCE.id


def test_escalation_goes_to_the_approvers_manager_else_the_admins():
    waiting = [routing.Seat(MANAGER.id)]
    [seat] = routing.escalation_seats(waiting, {MANAGER.id}, REP, directory())
    assert (seat.user_id, seat.on_behalf_of_id, seat.via) == (BOSS.id, MANAGER.id, "escalation")
    seats = routing.escalation_seats([routing.Seat(LEGAL.id)], {LEGAL.id}, REP, directory())
    assert [(s.user_id, s.on_behalf_of_id) for s in seats] == [(ADMIN.id, LEGAL.id)]


def test_action_tokens_have_their_own_shape():
    token_id = uuid.uuid4()
    assert tokens.parse(f"fla1.{token_id.hex}.{'s' * 43}") == (token_id, "s" * 43)
    for bad in ("v1.abc.def", f"fla1.{token_id.hex}", f"fla1.nothex.{'s' * 43}", f"fla1.{token_id.hex}.short", ""):
        assert tokens.parse(bad) is None
