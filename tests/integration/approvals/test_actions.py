"""Deciding from the notification: a single-use, expiring token bound to one approver and one step."""

from __future__ import annotations

import uuid

from sqlalchemy import select, update

from api.db.models import ApprovalActionToken
from api.db.types import utcnow
from tests.integration.approvals.helpers import approve, kinds, notifications, read, submit


async def _token(db, caller, approval_id: str) -> str:
    mine = [n for n in await notifications(db, caller, "approval.requested") if n.data["approval_id"] == approval_id]
    assert mine, "no approval.requested for this approver"
    return mine[-1].action_token


async def _act(client, token: str, decision: str = "approve", headers: dict | None = None, **extra):
    return await client.post(
        "/api/v1/approvals/actions", json={"token": token, "decision": decision, **extra}, headers=headers or {}
    )


async def test_the_notification_carries_actions_and_a_token_per_approver(client, db, org):
    approval = await submit(
        client, org.world.rep_a, org.opportunity["id"], subject_type="contract", payment_terms_days=120
    )
    finance = (await notifications(db, org.finance, "approval.requested"))[0]
    legal = (await notifications(db, org.legal, "approval.requested"))[0]
    assert [a["action"] for a in finance.actions] == ["approve", "reject"]
    assert finance.urgency == "high" and finance.tag == legal.tag == f"approval:{approval['id']}"
    assert finance.action_token and legal.action_token and finance.action_token != legal.action_token
    async with db.sessionmaker() as session:
        rows = list((await session.execute(select(ApprovalActionToken))).scalars())
    assert len(rows) == 2
    assert all(r.secret_hash not in (finance.action_token, legal.action_token) for r in rows)  # stored hashed
    assert all(r.secret_hash not in finance.action_token for r in rows)


async def test_the_token_approves_once_as_that_approver(client, db, org):
    world = org.world
    approval = await submit(client, world.rep_a, org.opportunity["id"], discount_pct=15)
    token = await _token(db, world.manager, approval["id"])
    response = await _act(client, token)
    assert response.status_code == 200, response.text
    assert response.json() == {"approval_id": approval["id"], "decision": "approve", "state": "approved"}
    detail = await read(client, world.rep_a, approval["id"])
    [decided] = detail["decisions"]
    assert (decided["actor_id"], decided["data"]["via"]) == (str(world.manager.user_id), "notification")
    assert len(await notifications(db, world.rep_a, "approval.decided")) == 1

    again = await _act(client, token)
    assert again.status_code == 409 and again.json()["type"].endswith("/action-token-used")
    assert len((await read(client, world.rep_a, approval["id"]))["timeline"]) == len(detail["timeline"])


async def test_forged_expired_and_misused_tokens_are_refused_distinctly(client, db, org):
    world = org.world
    approval = await submit(client, world.rep_a, org.opportunity["id"], discount_pct=15)
    token = await _token(db, world.manager, approval["id"])
    prefix, token_id, secret = token.split(".")
    tampered = f"{prefix}.{token_id}.{secret[:-2]}{'AA' if secret[-2:] != 'AA' else 'BB'}"
    for forged in (tampered, f"{prefix}.{uuid.uuid4().hex}.{secret}", "garbage", token + "x" * 3):
        response = await _act(client, forged)
        assert response.status_code == 401, forged
        assert response.json()["type"].endswith("/action-token-invalid")
    # Not a bearer token anywhere else.
    assert (await client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})).status_code == 401
    assert (
        await client.get(f"/api/v1/approvals/{approval['id']}", headers={"Authorization": f"Bearer {token}"})
    ).status_code == 401
    # Someone else signed in cannot use the manager's token.
    response = await _act(client, token, headers=world.rep_b.headers)
    assert response.status_code == 403 and response.json()["type"].endswith("/action-token-wrong-user")
    # Reject needs a comment here too, and the refusal leaves the token usable.
    response = await _act(client, token, "reject")
    assert response.status_code == 422
    async with db.sessionmaker() as session:
        await session.execute(update(ApprovalActionToken).values(expires_at=utcnow()))
        await session.commit()
    response = await _act(client, token)
    assert response.status_code == 401 and response.json()["type"].endswith("/action-token-expired")
    assert (await read(client, world.rep_a, approval["id"]))["state"] == "pending"


async def test_a_reject_with_a_comment_from_the_notification(client, db, org):
    world = org.world
    approval = await submit(client, world.rep_a, org.opportunity["id"], discount_pct=15)
    token = await _token(db, world.manager, approval["id"])
    response = await _act(client, token, "reject", headers=world.manager.headers, comment="Not this quarter")
    assert response.status_code == 200 and response.json()["state"] == "rejected"


async def test_a_token_for_a_recalled_or_moved_on_request_is_refused(client, db, org):
    world = org.world
    recalled = await submit(client, world.rep_a, org.opportunity["id"], discount_pct=15)
    token = await _token(db, world.manager, recalled["id"])
    await client.post(f"/api/v1/approvals/{recalled['id']}/recall", headers=world.rep_a.headers)
    response = await _act(client, token)
    assert response.status_code == 409 and response.json()["type"].endswith("/approval-not-pending")

    moved_on = await submit(client, world.rep_a, org.opportunity["id"], subject_type="quote", discount_pct=30)
    token = await _token(db, world.manager, moved_on["id"])
    await approve(client, world.manager, moved_on["id"])  # decided in the app meanwhile; now finance's turn
    response = await _act(client, token)
    assert response.status_code == 409 and response.json()["type"].endswith("/action-token-stale")
    assert kinds(await read(client, world.rep_a, moved_on["id"])).count("decided") == 1
