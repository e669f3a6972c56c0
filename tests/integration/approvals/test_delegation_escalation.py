"""Delegation while an approver is away, and escalation of steps past their SLA by the scheduled job."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from api.approvals.jobs import escalate_overdue
from api.db.models import ApprovalAssignment, User
from api.db.types import utcnow
from tests.conftest import rep_today
from tests.integration.approvals.helpers import approve, kinds, notifications, read, submit
from worker.jobs import CRON, JOBS
from worker.relay import EmbeddedRunner


def _days(n: int) -> str:
    return (rep_today() + timedelta(days=n)).isoformat()


async def _delegate(client, caller, delegate, start: int = 0, end: int = 3, expect: int = 201) -> dict:
    body = {"delegate_id": str(delegate.user_id), "starts_on": _days(start), "ends_on": _days(end), "note": "年假"}
    response = await client.post("/api/v1/approvals/delegations", json=body, headers=caller.headers)
    assert response.status_code == expect, response.text
    return response.json()


async def test_requests_route_to_the_delegate_on_the_approvers_behalf(client, db, org):
    world = org.world
    delegation = await _delegate(client, world.manager, world.rep_c)
    assert delegation["active_now"] is True and delegation["delegate_name"] == "c"
    approval = await submit(client, world.rep_a, org.opportunity["id"], discount_pct=15)
    assert approval["current_approver_ids"] == [str(world.rep_c.user_id)]
    [seat] = approval["steps"][0]["approvers"]
    assert (seat["via"], seat["on_behalf_of_id"], seat["on_behalf_of_name"]) == (
        "delegation", str(world.manager.user_id), "manager",
    )  # fmt: skip
    assert "delegated" in kinds(approval)
    [asked] = await notifications(db, world.rep_c, "approval.requested")
    assert asked.body.endswith("(for manager)")
    assert await notifications(db, world.manager, "approval.requested") == []

    await read(client, world.manager, approval["id"])  # the approver still sees what was decided for them
    done = await approve(client, world.rep_c, approval["id"])
    [decided] = done["decisions"]
    assert (decided["actor_id"], decided["on_behalf_of_id"]) == (str(world.rep_c.user_id), str(world.manager.user_id))


async def test_a_new_delegation_hands_over_what_is_already_waiting(client, db, org):
    world = org.world
    approval = await submit(client, world.rep_a, org.opportunity["id"], discount_pct=15)
    await _delegate(client, world.manager, world.rep_c)
    detail = await read(client, world.rep_c, approval["id"])
    assert sorted(detail["current_approver_ids"]) == sorted([str(world.manager.user_id), str(world.rep_c.user_id)])
    assert len(await notifications(db, world.rep_c, "approval.requested")) == 1


async def test_delegation_never_routes_to_the_submitter_and_ends_when_deleted(client, db, org):
    world = org.world
    delegation = await _delegate(client, world.manager, world.rep_a)
    approval = await submit(client, world.rep_a, org.opportunity["id"], discount_pct=15)
    assert approval["current_approver_ids"] == [str(world.manager.user_id)]
    listed = (await client.get("/api/v1/approvals/delegations", headers=world.rep_a.headers)).json()["items"]
    assert [d["id"] for d in listed] == [delegation["id"]]  # the delegate sees it too
    response = await client.delete(f"/api/v1/approvals/delegations/{delegation['id']}", headers=world.rep_b.headers)
    assert response.status_code == 404
    response = await client.delete(f"/api/v1/approvals/delegations/{delegation['id']}", headers=world.manager.headers)
    assert response.status_code == 204
    assert (await client.get("/api/v1/approvals/delegations", headers=world.manager.headers)).json()["items"] == []


async def test_a_future_delegation_does_not_route_yet_and_bad_ones_are_refused(client, org):
    world = org.world
    future = await _delegate(client, world.manager, world.rep_c, start=5, end=9)
    assert future["active_now"] is False
    approval = await submit(client, world.rep_a, org.opportunity["id"], discount_pct=15)
    assert approval["current_approver_ids"] == [str(world.manager.user_id)]
    await _delegate(client, world.manager, world.rep_c, start=8, end=12, expect=409)  # overlaps
    await _delegate(client, world.manager, world.manager, expect=422)  # to oneself
    await _delegate(client, world.manager, world.rep_c, start=3, end=1, expect=422)  # ends before it starts
    await _delegate(client, world.manager, world.outsider, expect=422)  # another org
    body = {"user_id": str(world.manager.user_id), "delegate_id": str(world.rep_c.user_id),
            "starts_on": _days(20), "ends_on": _days(21)}  # fmt: skip
    response = await client.post("/api/v1/approvals/delegations", json=body, headers=world.rep_b.headers)
    assert response.status_code == 403  # only admins set up someone else's
    response = await client.post("/api/v1/approvals/delegations", json=body, headers=world.admin.headers)
    assert response.status_code == 201


@pytest.fixture
async def runner(settings, db):
    runner = EmbeddedRunner(settings, db)
    yield runner
    await runner.close()


def test_the_escalation_job_is_scheduled_every_minute():
    assert JOBS["approvals.escalate"] is escalate_overdue
    assert any(c.name == "approvals.escalate" and c.every_s == 60 for c in CRON)


async def _assignments(db, approval_id: str) -> int:
    async with db.sessionmaker() as session:
        stmt = select(func.count()).select_from(ApprovalAssignment).where(ApprovalAssignment.request_id == approval_id)
        return (await session.execute(stmt)).scalar_one()


async def test_an_overdue_step_escalates_once_to_the_org_admin(client, db, org, runner):
    world = org.world
    approval = await submit(client, world.rep_a, org.opportunity["id"], discount_pct=15)
    ctx = runner.context("cron:approvals.escalate")
    assert await escalate_overdue(ctx, now=utcnow() + timedelta(hours=23)) == 0  # within its 24 h
    assert await escalate_overdue(ctx, now=utcnow() + timedelta(hours=25)) == 1
    assert await escalate_overdue(ctx, now=utcnow() + timedelta(hours=26)) == 0  # once per step
    assert await _assignments(db, approval["id"]) == 2

    detail = await read(client, world.manager, approval["id"])
    [step] = detail["steps"]
    assert step["escalated_at"] is not None
    escalated = {a["user_id"]: a for a in step["approvers"]}[str(world.admin.user_id)]
    assert (escalated["via"], escalated["on_behalf_of_id"]) == ("escalation", str(world.manager.user_id))
    [event] = [e for e in detail["timeline"] if e["kind"] == "escalated"]
    assert event["data"]["passed_over"] == [str(world.manager.user_id)]
    assert event["data"]["overdue_s"] >= 3600
    [asked] = await notifications(db, world.admin, "approval.requested")
    assert asked.action_token and asked.title.startswith("Escalated to you")
    [told] = await notifications(db, world.manager, "approval.escalated")
    assert "24 h" in told.body

    done = await approve(client, world.admin, approval["id"])
    assert done["state"] == "approved"


async def test_escalation_goes_to_the_approvers_manager_when_there_is_one(client, db, org, runner):
    world = org.world
    async with db.sessionmaker() as session:
        await session.execute(
            update(User).where(User.id == world.manager.user_id).values(manager_id=org.finance.user_id)
        )
        await session.commit()
    approval = await submit(client, world.rep_a, org.opportunity["id"], discount_pct=15)
    assert await escalate_overdue(runner.context(), now=utcnow() + timedelta(days=2)) == 1
    detail = await read(client, org.finance, approval["id"])
    assert sorted(detail["current_approver_ids"]) == sorted([str(world.manager.user_id), str(org.finance.user_id)])
    assert await notifications(db, world.admin) == []
