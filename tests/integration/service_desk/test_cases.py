"""Support cases: recorded on visible accounts, answered, escalated, resolved; complaints ask the manager in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.integration.service_desk.helpers import all_tasks, notifications, record


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


async def test_a_complaint_creates_one_task_for_the_owners_manager_and_notifies_them(client, db, world):
    opened = _now() - timedelta(hours=1)
    case = await record(
        client, world.rep_a, account_id=world.account_a, kind="complaint", severity="high",
        subject="交货延迟 Late delivery", opened_at=_iso(opened),
    )  # fmt: skip
    # A high-severity case promises an answer within 8 hours of its opening.
    assert case["sla_due_at"] == _iso(opened + timedelta(hours=8))
    assert (case["status"], case["version"], case["sla_breached"]) == ("open", 1, False)

    [task] = await all_tasks(db)
    # rep_a's manager (User.manager_id) is asked to step in, about this case, on this account.
    assert task.assignee_id == world.manager.user_id
    assert (task.subject_type, str(task.subject_id), task.account_id) == ("support_case", case["id"], world.account_a)
    assert task.title == "Complaint from 上海明珠制造: 交货延迟 Late delivery"
    [told] = await notifications(db, world.manager.user_id)
    assert told.url == f"/accounts/{world.account_a}"
    assert told.body.startswith("High severity")
    assert told.data["case_id"] == case["id"]

    # Sending the same complaint again (the phone retrying with its own id) is refused and makes no second task.
    again = await record(
        client, world.rep_a, expect=409, id=case["id"], account_id=world.account_a, kind="complaint",
        severity="high", subject="交货延迟 Late delivery", opened_at=_iso(opened),
    )  # fmt: skip
    assert again["status"] == 409
    # Escalating the same complaint later, or escalating it twice, never makes a second task or push.
    escalated = await client.post(f"/api/v1/support-cases/{case['id']}/escalate", json={}, headers=world.rep_a.headers)
    assert escalated.status_code == 200
    assert escalated.json()["status"] == "escalated"
    again = await client.post(f"/api/v1/support-cases/{case['id']}/escalate", json={}, headers=world.rep_a.headers)
    assert again.status_code == 409
    assert len(await all_tasks(db)) == 1
    assert len(await notifications(db, world.manager.user_id)) == 1

    listed = (await client.get("/api/v1/tasks", headers=world.manager.headers)).json()["items"]
    assert [t["subject_id"] for t in listed] == [case["id"]]
    assert (await client.get("/api/v1/tasks", headers=world.rep_a.headers)).json()["items"] == []


async def test_a_support_case_asks_the_manager_in_only_when_escalated(client, db, world):
    case = await record(client, world.rep_b, account_id=world.account_b, severity="low")
    assert await all_tasks(db) == []
    response = await client.post(
        f"/api/v1/support-cases/{case['id']}/escalate", json={"reason": "客户要求上门 On-site visit asked"},
        headers=world.rep_b.headers,
    )  # fmt: skip
    assert response.status_code == 200
    [task] = await all_tasks(db)
    assert (task.assignee_id, task.detail) == (world.manager.user_id, "客户要求上门 On-site visit asked")
    assert task.title.startswith("Escalated case at Pudong Logistics")


async def test_without_a_manager_the_task_goes_to_the_org_admin(client, db, world):
    # rep_c has no manager, and the West team has none: the org's admin is asked.
    await record(client, world.rep_c, account_id=world.account_c, kind="complaint")
    [task] = await all_tasks(db)
    assert task.assignee_id == world.admin.user_id
    assert len(await notifications(db, world.admin.user_id)) == 1


async def test_cases_are_visible_exactly_when_their_account_is(client, world):
    case = await record(client, world.rep_a, account_id=world.account_a)
    url = f"/api/v1/support-cases/{case['id']}"
    for caller in (world.rep_b, world.rep_c, world.outsider):
        assert (await client.get(url, headers=caller.headers)).status_code == 404
        assert (await client.post(f"{url}/respond", json={}, headers=caller.headers)).status_code == 404
        accounts_cases = f"/api/v1/accounts/{world.account_a}/support-cases"
        assert (await client.get(accounts_cases, headers=caller.headers)).status_code == 404
        assert (await client.get("/api/v1/support-cases", headers=caller.headers)).json()["items"] == []
    for caller in (world.rep_a, world.manager, world.admin):
        assert (await client.get(url, headers=caller.headers)).status_code == 200
    refused = await record(client, world.rep_b, expect=422, account_id=world.account_a)
    assert refused["errors"][0]["field"] == "account_id"


async def test_responding_and_resolving_follow_the_cases_life(client, world):
    case = await record(client, world.rep_a, account_id=world.account_a)
    url = f"/api/v1/support-cases/{case['id']}"
    headers = world.rep_a.headers
    responded = await client.post(f"{url}/respond", json={}, headers={**headers, "If-Match": '"1"'})
    assert responded.status_code == 200
    assert (responded.json()["version"], responded.headers["etag"]) == (2, '"2"')
    assert responded.json()["first_response_at"] is not None
    assert (await client.post(f"{url}/respond", json={}, headers=headers)).status_code == 409
    # An action based on an outdated read is refused.
    assert (await client.post(f"{url}/resolve", json={}, headers={**headers, "If-Match": '"1"'})).status_code == 412
    resolved = await client.post(f"{url}/resolve", json={}, headers={**headers, "If-Match": '"2"'})
    assert resolved.status_code == 200
    assert (resolved.json()["status"], resolved.json()["version"]) == ("resolved", 3)
    assert resolved.json()["resolved_at"] is not None
    for action in ("resolve", "escalate", "respond"):
        assert (await client.post(f"{url}/{action}", json={}, headers=headers)).status_code == 409


async def test_edits_need_if_match(client, world):
    case = await record(client, world.rep_a, account_id=world.account_a)
    url = f"/api/v1/support-cases/{case['id']}"
    body = {"severity": "critical", "subject": "整线停机 Line down"}
    assert (await client.patch(url, json=body, headers=world.rep_a.headers)).status_code == 428
    changed = await client.patch(url, json=body, headers={**world.rep_a.headers, "If-Match": '"1"'})
    assert changed.status_code == 200
    assert (changed.json()["severity"], changed.json()["subject"], changed.json()["version"]) == (
        "critical", "整线停机 Line down", 2,
    )  # fmt: skip
    stale = await client.patch(url, json={"detail": "x"}, headers={**world.rep_a.headers, "If-Match": '"1"'})
    assert stale.status_code == 412


async def test_sla_breaches_are_flagged_and_filtered(client, world):
    now = _now()
    # Opened 30 h ago at normal severity: due 24 h after opening, 6 h ago, still unanswered → breached.
    late = await record(
        client, world.rep_a, account_id=world.account_a, subject="late", opened_at=_iso(now - timedelta(hours=30))
    )
    # Opened 30 h ago too, answered 2 h and resolved 20 h after opening, both before its due time → not breached.
    timely = await record(
        client, world.rep_a, account_id=world.account_a, subject="timely", opened_at=_iso(now - timedelta(hours=30))
    )
    url = f"/api/v1/support-cases/{timely['id']}"
    await client.post(f"{url}/respond", json={"at": _iso(now - timedelta(hours=28))}, headers=world.rep_a.headers)
    done = await client.post(
        f"{url}/resolve", json={"at": _iso(now - timedelta(hours=10))}, headers=world.rep_a.headers
    )
    assert done.json()["sla_breached"] is False
    # Answered in time but still open 6 h past its due time → breached (a case open past its due time is).
    waiting = await record(
        client, world.rep_a, account_id=world.account_a, subject="waiting", opened_at=_iso(now - timedelta(hours=30))
    )
    answered = await client.post(
        f"/api/v1/support-cases/{waiting['id']}/respond", json={"at": _iso(now - timedelta(hours=29))},
        headers=world.rep_a.headers,
    )  # fmt: skip
    assert answered.json()["sla_breached"] is True
    # Opened an hour ago: not due yet.
    fresh = await record(client, world.rep_a, account_id=world.account_a, subject="fresh")
    # Answered 25 h after opening, after the due time → breached although resolved.
    slow = await record(
        client, world.rep_a, account_id=world.account_a, subject="slow", opened_at=_iso(now - timedelta(hours=48))
    )
    await client.post(
        f"/api/v1/support-cases/{slow['id']}/resolve", json={"at": _iso(now - timedelta(hours=23))},
        headers=world.rep_a.headers,
    )  # fmt: skip
    assert late["sla_breached"] is True and fresh["sla_breached"] is False

    async def subjects(query: str) -> list[str]:
        url = f"/api/v1/accounts/{world.account_a}/support-cases?{query}"
        return sorted(c["subject"] for c in (await client.get(url, headers=world.manager.headers)).json()["items"])

    assert await subjects("sla_breached=true") == ["late", "slow", "waiting"]
    assert await subjects("sla_breached=false") == ["fresh", "timely"]
    assert await subjects("status=resolved") == ["slow", "timely"]
    assert await subjects("kind=complaint") == []


async def test_bad_input_is_refused_and_changes_nothing(client, db, world):
    now = _now()
    for body, field in (
        ({"kind": "praise"}, "kind"),
        ({"severity": "urgent"}, "severity"),
        ({"subject": ""}, "subject"),
        ({"opened_at": _iso(now + timedelta(days=1))}, "opened_at"),
        ({"opened_at": "2026-11-01T10:00:00"}, "opened_at"),
        ({"opened_at": _iso(now - timedelta(hours=2)), "sla_due_at": _iso(now - timedelta(hours=3))}, "sla_due_at"),
        ({"status": "resolved"}, "status"),
    ):
        refused = await record(client, world.rep_a, expect=422, account_id=world.account_a, **body)
        assert refused["errors"][0]["field"] == field, (body, refused)
    assert (await client.get("/api/v1/support-cases", headers=world.admin.headers)).json()["items"] == []
    assert await all_tasks(db) == []
    assert (await client.get("/api/v1/support-cases?limit=0", headers=world.admin.headers)).status_code == 422
    assert (await client.get("/api/v1/support-cases?kind=praise", headers=world.admin.headers)).status_code in (
        400,
        422,
    )
    assert (await client.get("/api/v1/support-cases?cursor=zz", headers=world.admin.headers)).status_code == 422
