"""Approvals: decide from the inbox on one screen."""

from __future__ import annotations

from tests.e2e.conftest import Phone
from tests.e2e.helpers import eventually, sign_in, submit_discount


async def test_approve_from_the_inbox(phone: Phone) -> None:
    live, page = phone.live, phone.page
    asked = await submit_discount(live, "rep1", 15, "竞品报价低 12%")
    await notifications_not_decided_yet(phone)
    await sign_in(phone, "manager1")
    offer = page.get_by_role("complementary", name="通过通知审批？")
    assert await offer.count() == 0, "no notification offer on first load"
    await page.get_by_role("link", name="审批", exact=True).click()
    row = page.locator(f"[data-testid=approval-row][href='/approvals/{asked['id']}']")
    await row.wait_for()
    await phone.shot("04-approvals-inbox")
    await row.click()
    await page.get_by_test_id("approval-figures").get_by_text("折扣 15%").wait_for()
    await page.get_by_text("竞品报价低 12%").wait_for()
    await phone.shot("05-approval-decision")
    # Having opened an approval is the moment to offer notifications (the browser asks only on "开启").
    await offer.wait_for()

    # Rejecting needs a reason: the form says so and nothing is sent.
    await page.get_by_role("button", name="拒绝").click()
    await page.get_by_role("alert").get_by_text("请填写理由").wait_for()
    assert (await live.ok("manager1", "GET", f"/approvals/{asked['id']}"))["state"] == "pending"

    await page.get_by_role("button", name="批准").click()
    await page.wait_for_url("**/approvals")
    decided = await eventually(lambda: _state(phone, asked["id"], "approved"))
    assert [e["decision"] for e in decided["decisions"]] == ["approve"]
    await row.wait_for(state="detached")


async def test_reject_with_a_comment(phone: Phone) -> None:
    live, page = phone.live, phone.page
    asked = await submit_discount(live, "rep2", 12)
    await sign_in(phone, "manager1")
    await page.goto(f"/approvals/{asked['id']}")
    await page.get_by_label("审批意见").fill("折扣过高，请先争取三年合同")
    await page.get_by_role("button", name="拒绝").click()
    decided = await eventually(lambda: _state(phone, asked["id"], "rejected"))
    assert decided["decisions"][0]["comment"] == "折扣过高，请先争取三年合同"


async def notifications_not_decided_yet(phone: Phone) -> None:
    """Notifications neither allowed nor blocked, as on a new phone (headless Chromium blocks them)."""
    cdp = await phone.context.new_cdp_session(phone.page)
    target = await cdp.send("Target.getTargetInfo")
    browser_cdp = await phone.context.browser.new_browser_cdp_session()
    await browser_cdp.send(
        "Browser.setPermission",
        {
            "permission": {"name": "notifications"},
            "setting": "prompt",
            "origin": phone.live.base_url,
            "browserContextId": target["targetInfo"]["browserContextId"],
        },
    )


async def _state(phone: Phone, approval_id: str, state: str) -> dict | None:
    approval = await phone.live.ok("manager1", "GET", f"/approvals/{approval_id}")
    return approval if approval["state"] == state else None


async def test_request_changes_with_a_comment(phone: Phone) -> None:
    live, page = phone.live, phone.page
    asked = await submit_discount(live, "rep1", 18)
    await sign_in(phone, "manager1")
    await page.goto(f"/approvals/{asked['id']}")
    await page.get_by_test_id("approval-figures").get_by_text("折扣 18%").wait_for()
    # Asking for changes needs a reason too.
    await page.get_by_role("button", name="要求修改").click()
    await page.get_by_role("alert").get_by_text("请填写理由").wait_for()
    await page.get_by_label("审批意见").fill("请改为 12%，并附上竞品报价单")
    await page.get_by_role("button", name="要求修改").click()
    await page.wait_for_url("**/approvals")
    decided = await eventually(lambda: _state(phone, asked["id"], "changes_requested"))
    [decision] = decided["decisions"]
    assert decision["decision"] == "request_changes" and decision["comment"] == "请改为 12%，并附上竞品报价单"
