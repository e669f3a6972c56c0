"""Requests through their lives: matching, steps in turn, all-of steps, refusals, recall and resubmission."""

from __future__ import annotations

import asyncio
import uuid

from sqlalchemy import select

from api.db.models import Notification, Opportunity, User
from tests.integration.approvals.helpers import approve, decide, kinds, notifications, read, submit


def _approvers(step: dict) -> list[str]:
    return [a["user_id"] for a in step["approvers"]]


async def test_a_small_discount_needs_no_approval_and_says_why(client, org):
    rep = org.world.rep_a
    approval = await submit(client, rep, org.opportunity["id"], discount_pct=5)
    assert approval["state"] == "approved"
    assert approval["steps"] == [] and approval["current_approver_ids"] == []
    assert approval["rules"] == []
    [_, completed] = approval["timeline"]
    assert completed["kind"] == "completed" and completed["data"] == {"state": "approved", "reason": "no_policy"}


async def test_a_discount_over_ten_percent_goes_to_the_manager(client, db, org):
    world = org.world
    approval = await submit(client, world.rep_a, org.opportunity["id"], discount_pct=15, note="竞品报价更低")
    assert approval["state"] == "pending"
    assert approval["current_approver_ids"] == [str(world.manager.user_id)]
    [step] = approval["steps"]
    assert (step["mode"], step["sla_hours"], step["state"]) == ("any", 24, "active")
    assert step["rules"] == [{"kind": "manager", "role": None, "user_id": None}]
    [rule] = approval["rules"]
    assert rule["name"] == "Discount over 10 %"
    assert rule["reasons"] == [
        {"field": "discount_pct", "threshold": 10.0, "value": 15.0, "text": "Discount 15 % is over 10 %"}
    ]
    assert kinds(approval) == ["submitted", "routed"]
    [notice] = await notifications(db, world.manager, "approval.requested")
    assert notice.tag == f"approval:{approval['id']}" and notice.urgency == "high"
    assert notice.url == f"/approvals/{approval['id']}"

    decided = await approve(client, world.manager, approval["id"])
    assert decided["state"] == "approved" and decided["current_approver_ids"] == []
    [step] = decided["steps"]
    assert step["state"] == "approved" and step["elapsed_s"] is not None
    assert step["approvers"][0]["state"] == "approved" and step["approvers"][0]["elapsed_s"] is not None
    [told] = await notifications(db, world.rep_a, "approval.decided")
    assert told.title.startswith("Approved") and told.data["state"] == "approved"


async def test_a_large_discount_goes_to_the_manager_then_finance_once_each(client, db, org):
    world = org.world
    approval = await submit(client, world.rep_a, org.opportunity["id"], discount_pct=30)
    assert [r["name"] for r in approval["rules"]] == [
        "Discount over 10 %",
        "Discount over 25 % or deal over ¥1,000,000",
    ]
    manager_step, finance_step = approval["steps"]  # the manager step of both policies, kept once
    assert (manager_step["state"], finance_step["state"]) == ("active", "waiting")
    assert finance_step["rules"] == [{"kind": "role", "role": "finance", "user_id": None}]
    assert await notifications(db, org.finance) == []  # not yet its turn

    after_manager = await approve(client, world.manager, approval["id"])
    assert after_manager["state"] == "pending"
    assert after_manager["current_step"] == 2
    assert after_manager["current_approver_ids"] == [str(org.finance.user_id)]
    assert len(await notifications(db, org.finance, "approval.requested")) == 1
    assert await notifications(db, world.rep_a, "approval.decided") == []

    done = await approve(client, org.finance, approval["id"])
    assert done["state"] == "approved"
    assert [s["state"] for s in done["steps"]] == ["approved", "approved"]
    assert len(await notifications(db, world.rep_a, "approval.decided")) == 1


async def test_a_deal_over_a_million_needs_finance_even_without_a_discount(client, org):
    approval = await submit(client, org.world.rep_a, org.opportunity["id"], subject_type="quote", amount=150_000_000)
    [rule] = approval["rules"]
    assert rule["reasons"][0]["field"] == "amount"
    assert rule["reasons"][0]["text"] == "Amount ¥1,500,000.00 is over ¥1,000,000.00"
    assert len(approval["steps"]) == 2


async def test_long_payment_terms_need_finance_and_legal_both(client, db, org):
    world = org.world
    approval = await submit(client, world.rep_a, org.opportunity["id"], subject_type="contract", payment_terms_days=120)
    [step] = approval["steps"]
    assert step["mode"] == "all"
    assert sorted(approval["current_approver_ids"]) == sorted([str(org.finance.user_id), str(org.legal.user_id)])
    assert [a["slot"] for a in step["approvers"]] == [0, 1]
    [zh] = await notifications(db, org.legal, "approval.requested")
    assert zh.lang == "zh-CN" and zh.title.startswith("待审批")  # each in their own language

    half = await approve(client, org.finance, approval["id"])
    assert half["state"] == "pending"
    assert half["current_approver_ids"] == [str(org.legal.user_id)]
    done = await approve(client, org.legal, approval["id"])
    assert done["state"] == "approved"


async def test_finance_asked_in_two_steps_approves_once(client, org):
    world = org.world
    approval = await submit(
        client, world.rep_a, org.opportunity["id"], subject_type="contract", discount_pct=30, payment_terms_days=120
    )
    assert [s["mode"] for s in approval["steps"]] == ["any", "any", "all"]
    await approve(client, world.manager, approval["id"])
    after_finance = await approve(client, org.finance, approval["id"])
    third = after_finance["steps"][2]
    assert third["state"] == "active"
    assert {(a["user_id"], a["state"]) for a in third["approvers"]} == {
        (str(org.finance.user_id), "carried"),
        (str(org.legal.user_id), "pending"),
    }
    assert after_finance["current_approver_ids"] == [str(org.legal.user_id)]
    assert "carried" in kinds(await read(client, world.rep_a, approval["id"]))
    assert (await approve(client, org.legal, approval["id"]))["state"] == "approved"


async def test_nobody_approves_their_own_request(client, db, org):
    world = org.world
    approval = await submit(client, world.rep_a, org.opportunity["id"], discount_pct=15)
    response = await decide(client, world.rep_a, approval["id"], "approve")
    assert response.status_code == 403
    assert response.json()["type"].endswith("/self-approval")
    assert (await read(client, world.rep_a, approval["id"]))["state"] == "pending"


async def test_a_submitter_with_the_approving_role_is_not_their_own_approver(client, db, org):
    """Finance asking for long terms: the finance slot falls back past them (no manager: to the admin)."""
    world = org.world
    async with db.sessionmaker() as session:
        opportunity = await session.get(Opportunity, uuid.UUID(org.opportunity["id"]))
        opportunity.owner_id = org.finance.user_id
        await session.commit()
    approval = await submit(client, org.finance, org.opportunity["id"], subject_type="contract", payment_terms_days=120)
    [step] = approval["steps"]
    by_slot = {a["slot"]: (a["user_id"], a["via"]) for a in step["approvers"]}
    assert by_slot == {0: (str(world.admin.user_id), "fallback"), 1: (str(org.legal.user_id), "policy")}


async def test_a_decision_after_the_final_one_is_refused_and_changes_nothing(client, org):
    world = org.world
    approval = await submit(client, world.rep_a, org.opportunity["id"], discount_pct=15)
    done = await approve(client, world.manager, approval["id"])
    for decision, comment in (("approve", None), ("reject", "too late")):
        response = await decide(client, world.manager, approval["id"], decision, comment)
        assert response.status_code == 409
        assert response.json()["type"].endswith("/approval-not-pending")
    again = await read(client, world.rep_a, approval["id"])
    assert (again["state"], again["version"], len(again["timeline"])) == (
        "approved",
        done["version"],
        len(done["timeline"]),
    )


async def test_a_rejection_needs_a_comment(client, db, org):
    world = org.world
    approval = await submit(client, world.rep_a, org.opportunity["id"], discount_pct=30)
    for comment in (None, "   "):
        response = await decide(client, world.manager, approval["id"], "reject", comment)
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "comment"
    assert (await read(client, world.rep_a, approval["id"]))["state"] == "pending"

    rejected = (await decide(client, world.manager, approval["id"], "reject", "Margin too thin")).json()
    assert rejected["state"] == "rejected"
    assert [s["state"] for s in rejected["steps"]] == ["rejected", "cancelled"]
    [told] = await notifications(db, world.rep_a, "approval.decided")
    assert "Margin too thin" in told.body and told.title.startswith("Rejected")
    assert await notifications(db, org.finance) == []


async def test_changes_requested_then_resubmitted_with_new_figures(client, db, org):
    world = org.world
    approval = await submit(client, world.rep_a, org.opportunity["id"], discount_pct=30)
    response = await client.post(
        f"/api/v1/approvals/{approval['id']}/resubmit", json={"discount_pct": 12}, headers=world.rep_a.headers
    )
    assert response.status_code == 409  # still pending: nothing to resubmit
    sent_back = (await decide(client, world.manager, approval["id"], "request_changes", "Try 12 %")).json()
    assert sent_back["state"] == "changes_requested"
    [told] = await notifications(db, world.rep_a, "approval.decided")
    assert told.data["state"] == "changes_requested"

    response = await client.post(
        f"/api/v1/approvals/{approval['id']}/resubmit", json={"discount_pct": 12}, headers=world.manager.headers
    )
    assert response.status_code == 403  # only the submitter
    response = await client.post(
        f"/api/v1/approvals/{approval['id']}/resubmit", json={"discount_pct": 12}, headers=world.rep_a.headers
    )
    assert response.status_code == 200, response.text
    second = response.json()
    assert (second["state"], second["revision"], second["discount_pct"]) == ("pending", 2, 12.0)
    assert [s["revision"] for s in second["steps"]] == [2]  # 12 %: the manager alone this time
    resubmitted = next(e for e in second["timeline"] if e["kind"] == "resubmitted")
    assert resubmitted["data"]["changes"] == {"discount_pct": [30.0, 12.0]}

    final = await approve(client, world.manager, approval["id"])
    assert final["state"] == "approved"
    assert [(d["revision"], d["decision"], d["comment"]) for d in final["decisions"]] == [
        (1, "request_changes", "Try 12 %"),
        (2, "approve", None),
    ]


async def test_the_submitter_recalls_a_pending_request(client, db, org):
    world = org.world
    approval = await submit(client, world.rep_a, org.opportunity["id"], discount_pct=15)
    response = await client.post(f"/api/v1/approvals/{approval['id']}/recall", headers=world.manager.headers)
    assert response.status_code == 403
    response = await client.post(f"/api/v1/approvals/{approval['id']}/recall", headers=world.rep_a.headers)
    assert response.status_code == 200, response.text
    recalled = response.json()
    assert recalled["state"] == "recalled" and recalled["current_approver_ids"] == []
    assert kinds(recalled)[-2:] == ["recalled", "completed"]
    [closed] = await notifications(db, world.manager, "approval.closed")
    assert closed.tag == f"approval:{approval['id']}" and closed.actions == []  # replaces the request on the phone

    response = await decide(client, world.manager, approval["id"], "approve")
    assert response.status_code == 409
    response = await client.post(f"/api/v1/approvals/{approval['id']}/recall", headers=world.rep_a.headers)
    assert response.status_code == 409


async def test_one_pending_request_per_kind_and_deal(client, org):
    rep = org.world.rep_a
    await submit(client, rep, org.opportunity["id"], discount_pct=15)
    await submit(client, rep, org.opportunity["id"], expect=409, discount_pct=20)
    await submit(client, rep, org.opportunity["id"], subject_type="contract", payment_terms_days=120)


async def test_an_opportunity_out_of_reach_is_refused(client, org):
    world = org.world
    response = await client.post(
        "/api/v1/approvals",
        json={"subject_type": "discount", "opportunity_id": org.opportunity["id"], "discount_pct": 15},
        headers=world.rep_b.headers,
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "opportunity_id"
    response = await client.post(
        "/api/v1/approvals",
        json={"subject_type": "discount", "opportunity_id": org.opportunity["id"], "discount_pct": 150},
        headers=world.rep_a.headers,
    )
    assert response.status_code == 422


async def test_two_approvers_of_an_all_of_step_deciding_at_once_never_leave_it_stuck(client, org):
    """Both decisions land (one after the other), or one is told to retry; either way the step completes."""
    approval = await submit(
        client, org.world.rep_a, org.opportunity["id"], subject_type="contract", payment_terms_days=120
    )
    first, second = await asyncio.gather(
        decide(client, org.finance, approval["id"], "approve"), decide(client, org.legal, approval["id"], "approve")
    )
    statuses = sorted([first.status_code, second.status_code])
    assert statuses in ([200, 200], [200, 409]), (first.text, second.text)
    if statuses == [200, 409]:
        loser = org.legal if second.status_code == 409 else org.finance
        assert (await decide(client, loser, approval["id"], "approve")).status_code == 200
    final = await read(client, org.world.rep_a, approval["id"])
    assert final["state"] == "approved"
    assert sorted(a["state"] for a in final["steps"][0]["approvers"]) == ["approved", "approved"]


async def test_when_one_of_several_approvers_decides_the_others_notification_is_replaced(client, db, org):
    async with db.sessionmaker() as session:
        second = User(
            id=uuid.uuid4(), org_id=org.world.acme, email="finance2@acme.test", name="finance2",
            password_hash="x", roles=["finance"], locale="en", timezone="Asia/Shanghai",
        )  # fmt: skip
        session.add(second)
        await session.commit()
    approval = await submit(
        client, org.world.rep_a, org.opportunity["id"], subject_type="contract", payment_terms_days=120
    )
    assert len(approval["current_approver_ids"]) == 3  # either finance person, and legal
    await approve(client, org.finance, approval["id"])
    async with db.sessionmaker() as session:
        told = (await session.execute(select(Notification).where(Notification.user_id == second.id))).scalars().all()
    assert [n.type for n in told] == ["approval.requested", "approval.closed"]
    assert told[1].tag == told[0].tag and told[1].action_token is None
    assert await notifications(db, org.legal, "approval.closed") == []  # still needed
    after = await read(client, org.world.rep_a, approval["id"])
    assert after["current_approver_ids"] == [str(org.legal.user_id)]
