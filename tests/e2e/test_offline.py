"""Offline: the last-seen inbox and plan open without signal, changes wait in the outbox and reach the server
exactly once when the signal is back; a conflicting offline update is shown as a conflict, never dropped."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.e2e.conftest import Phone
from tests.e2e.helpers import eventually, kept, outbox, sign_in, submit_discount, user_id


async def _plan_for(phone: Phone, who: str, accounts: list[dict]) -> dict:
    """A plan for today made earlier (through the API, as another device would), with these accounts."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    today = datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()
    stops = [{"account_id": a["id"], "service_minutes": 30} for a in accounts]
    body = {"date": today, "start": {"lat": 31.2304, "lon": 121.4737}, "stops": stops, "time_limit_s": 0.5}
    return await phone.live.ok(who, "POST", "/visits/plan", json=body)


async def _accounts(phone: Phone, who: str, n: int) -> list[dict]:
    listing = await phone.live.ok(who, "GET", "/accounts", params={"limit": 50})
    return [a for a in listing["items"] if a.get("lat") is not None][:n]


async def test_offline_approve_and_check_in_are_applied_once_when_back_online(phone: Phone) -> None:
    live, page, context = phone.live, phone.page, phone.context
    asked = await submit_discount(live, "rep1", 14, "离线审批测试")
    plan = await _plan_for(phone, "manager1", await _accounts(phone, "manager1", 2))
    first = plan["stops"][0]

    # Online once: the inbox, the decision view and today's plan are seen, and so kept by the worker.
    await sign_in(phone, "manager1")
    await page.get_by_test_id("next-visit").wait_for()
    # Read before the worker took over the page, the plan is read again through it, and so kept.
    await eventually(lambda: kept(phone, "/visits?", f"/visits/plans/{plan['plan_id']}"))
    await page.get_by_role("link", name="审批", exact=True).click()
    await page.get_by_test_id("approval-row").first.wait_for()
    await page.locator(f"[data-testid=approval-row][href='/approvals/{asked['id']}']").click()
    await page.get_by_test_id("approval-figures").wait_for()
    await page.get_by_role("link", name="全部审批").click()

    await context.set_offline(True)
    # Even a reload without signal opens the app, from the worker's cache, with the last-seen inbox.
    await page.reload()
    await page.get_by_text("离线", exact=True).wait_for()
    row = page.locator(f"[data-testid=approval-row][href='/approvals/{asked['id']}']")
    await row.click()
    await page.get_by_role("button", name="批准").click()
    await page.wait_for_url("**/approvals")
    await row.get_by_test_id("decision-waiting").wait_for()

    await context.set_geolocation({"latitude": first["lat"], "longitude": first["lon"], "accuracy": 12})
    await page.get_by_role("link", name="今日", exact=True).click()
    await page.get_by_test_id("next-visit").get_by_role("button", name="到店签到").click()
    await page.get_by_test_id("checked-in").wait_for()

    waiting = await outbox(phone)
    assert sorted(e["kind"] for e in waiting) == ["check_in", "decision"]
    assert all(e["state"] == "pending" for e in waiting)
    await page.get_by_test_id("outbox-badge").get_by_text("2 项待发送").wait_for()
    await page.get_by_test_id("outbox-badge").click()
    assert await page.get_by_test_id("outbox-entry").count() == 2
    await phone.shot("08-offline-outbox")
    # Nothing reached the server while offline.
    assert (await live.ok("manager1", "GET", f"/approvals/{asked['id']}"))["state"] == "pending"
    assert (await live.ok("manager1", "GET", f"/visits/{first['visit_id']}"))["status"] == "planned"

    await context.set_offline(False)
    approval = await eventually(lambda: _approved(phone, asked["id"]))
    visit = await eventually(lambda: _checked_in(phone, first["visit_id"]))
    await page.get_by_text("全部已发送").wait_for()
    assert await outbox(phone) == []
    # Give any second sender (the worker's sync, another replay) time to misbehave, then count.
    await asyncio.sleep(2)
    approval = await live.ok("manager1", "GET", f"/approvals/{asked['id']}")
    assert [d["decision"] for d in approval["decisions"]] == ["approve"]
    check_ins = await live.ok("manager1", "GET", "/visits/check-ins", params={"visit_id": first["visit_id"]})
    assert len(check_ins["items"]) == 1
    assert visit["check_in_status"] == "verified"


async def test_an_offline_update_that_conflicts_is_shown_and_can_be_resolved(phone: Phone) -> None:
    live, page, context = phone.live, phone.page, phone.context
    rep = await user_id(live, "rep1")
    deals = await live.ok("rep1", "GET", "/opportunities", params={"owner_id": rep, "limit": 100})
    deal = next(d for d in deals["items"] if d["stage"] not in ("won", "lost"))

    await sign_in(phone, "rep1")
    await page.goto(f"/opportunities/{deal['id']}")
    await page.get_by_label("下一步").wait_for()
    await context.set_offline(True)
    await page.get_by_label("下一步").fill("周五前发送修订报价")
    await page.get_by_role("button", name="保存更改").click()
    await page.get_by_test_id("outbox-badge").get_by_text("1 项待发送").wait_for()

    # Meanwhile, on the server, the manager changes the same deal.
    current = await live.api("manager1", "GET", f"/opportunities/{deal['id']}")
    theirs = await live.api(
        "manager1",
        "PATCH",
        f"/opportunities/{deal['id']}",
        json={"next_step": "经理：先约技术交流"},
        headers={"If-Match": current.headers["etag"]},
    )
    assert theirs.status_code == 200, theirs.text

    await context.set_offline(False)
    conflict = page.get_by_test_id("conflict")
    await conflict.wait_for(timeout=20_000)
    await conflict.get_by_text("此商机已被他人修改").wait_for()
    await page.get_by_test_id("outbox-badge").get_by_text("1 项待处理").wait_for()
    [entry] = await outbox(phone)
    assert entry["state"] == "conflict" and entry["status"] == 412
    server = await live.ok("rep1", "GET", f"/opportunities/{deal['id']}")
    assert server["next_step"] == "经理：先约技术交流", "the other change is not overwritten silently"
    await phone.shot("10-conflict")

    await conflict.get_by_role("button", name="保留我的").click()
    mine = await eventually(lambda: _next_step(phone, deal["id"], "周五前发送修订报价"))
    assert mine["version"] == server["version"] + 1
    await eventually(lambda: _empty(phone))


async def _approved(phone: Phone, approval_id: str) -> dict | None:
    approval = await phone.live.ok("manager1", "GET", f"/approvals/{approval_id}")
    return approval if approval["state"] == "approved" else None


async def _checked_in(phone: Phone, visit_id: str) -> dict | None:
    visit = await phone.live.ok("manager1", "GET", f"/visits/{visit_id}")
    return visit if visit["status"] == "checked_in" else None


async def _next_step(phone: Phone, deal_id: str, text: str) -> dict | None:
    deal = await phone.live.ok("rep1", "GET", f"/opportunities/{deal_id}")
    return deal if deal["next_step"] == text else None


async def _empty(phone: Phone) -> bool:
    return await outbox(phone) == []


async def _approve_offline_then_close_the_app(phone: Phone) -> dict:
    """The manager approves without signal, then leaves the app (no page of it open any more)."""
    live, page, context = phone.live, phone.page, phone.context
    asked = await submit_discount(live, "rep1", 13, "地下室里审批")
    await sign_in(phone, "manager1")
    await page.goto(f"/approvals/{asked['id']}")
    await page.get_by_test_id("approval-figures").wait_for()
    await context.set_offline(True)
    await page.get_by_role("button", name="批准").click()
    await page.get_by_test_id("outbox-badge").get_by_text("1 项待发送").wait_for()
    [entry] = await outbox(phone)
    assert entry["kind"] == "decision" and entry["state"] == "pending"
    await page.goto("about:blank")
    return asked


async def test_the_worker_sends_what_waits_on_sync_with_the_app_closed(phone: Phone) -> None:
    """Where the browser has Background Sync (Chrome on Android), the signal coming back wakes the service
    worker's `sync`, which sends the outbox though no page of the app is open."""
    live, context = phone.live, phone.context
    asked = await _approve_offline_then_close_the_app(phone)
    assert (await live.ok("manager1", "GET", f"/approvals/{asked['id']}"))["state"] == "pending"
    await context.set_offline(False)
    approval = await eventually(lambda: _approved(phone, asked["id"]))
    assert [d["decision"] for d in approval["decisions"]] == ["approve"]
    assert len(context.pages) == 1 and phone.page.url == "about:blank", "no window of the app was opened"

    # Opening the app later sends nothing twice: the outbox is empty.
    await phone.page.goto("/approvals")
    await phone.page.get_by_role("heading", name="审批").wait_for()
    assert await outbox(phone) == []
    await asyncio.sleep(1)
    approval = await live.ok("manager1", "GET", f"/approvals/{asked['id']}")
    assert [d["decision"] for d in approval["decisions"]] == ["approve"]


async def test_what_waits_is_sent_when_the_app_starts(phone: Phone) -> None:
    """Without Background Sync (iPhone, Firefox), nothing wakes up when the signal returns while the app is
    closed; the next start of the app sends what waits."""
    live, page, context = phone.live, phone.page, phone.context
    await context.clear_permissions()  # no background-sync permission: as on a phone without the API
    await context.grant_permissions(["geolocation"])
    asked = await _approve_offline_then_close_the_app(phone)
    await context.set_offline(False)
    await asyncio.sleep(2)
    assert (await live.ok("manager1", "GET", f"/approvals/{asked['id']}"))["state"] == "pending"

    await page.goto("/today")
    approval = await eventually(lambda: _approved(phone, asked["id"]))
    assert [d["decision"] for d in approval["decisions"]] == ["approve"]
    await eventually(lambda: _empty(phone))


async def test_a_weak_signal_shows_the_last_seen_inbox_then_the_fresh_one(phone: Phone) -> None:
    """When the server is slow to answer (a weak signal), the app shows what was last seen after a few seconds
    rather than spin, says so, and replaces it with the server's answer when that arrives, with no tap."""
    live, page, context = phone.live, phone.page, phone.context
    seen = await submit_discount(live, "rep1", 13, "上次看到的申请")
    await sign_in(phone, "manager1")
    await page.get_by_role("link", name="审批", exact=True).click()
    await page.locator(f"[data-testid=approval-row][href='/approvals/{seen['id']}']").wait_for()
    await eventually(lambda: kept(phone, "/approvals?"))

    # Meanwhile the rep takes that request back and asks again: the server's inbox has only the new one.
    await live.ok("rep1", "POST", f"/approvals/{seen['id']}/recall")
    new = await submit_discount(live, "rep1", 12, "重新提交的申请")
    slow = asyncio.Event()

    async def weak_signal(route: Any) -> None:
        if not slow.is_set():
            slow.set()
            await asyncio.sleep(9)  # longer than the worker waits before it shows the last-seen answer
        await route.continue_()

    await context.route("**/api/v1/approvals?*", weak_signal)
    await page.reload()
    await page.get_by_text("信号弱：先显示上次查看的内容，服务器响应后自动更新。").wait_for(timeout=20_000)
    await phone.shot("18-weak-signal")
    assert await page.locator(f"[data-testid=approval-row][href='/approvals/{seen['id']}']").is_visible()
    await page.locator(f"[data-testid=approval-row][href='/approvals/{new['id']}']").wait_for(timeout=20_000)
    assert not await page.get_by_text("信号弱：先显示上次查看的内容").is_visible()
    assert await page.locator(f"[data-testid=approval-row][href='/approvals/{seen['id']}']").count() == 0
