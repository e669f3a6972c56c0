"""Opportunities: my pipeline, a quick update of every field that moves a deal (stage, next step, amount,
close date, promised date) with If-Match, and logging what the customer did. A change the server refuses
(moving past qualification without a customer action) stays on screen with the reason until it is sent."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.e2e.conftest import Phone
from tests.e2e.helpers import eventually, outbox, sign_in


async def test_quick_update_and_log_a_customer_action(phone: Phone) -> None:
    live, page = phone.live, phone.page
    # A new customer, so that no customer action exists yet, and a deal priced as a whole (no line items:
    # with them, the amount is their sum and changes through them).
    account = await live.ok("rep1", "POST", "/accounts", json={"name": "苏州恒远精密 Hengyuan", "city": "苏州"})
    body = {
        "account_id": account["id"],
        "name": "年度维保服务 Annual service",
        "amount": 300_000 * 100,
        "close_date": "2027-03-31",
    }
    deal = await live.ok("rep1", "POST", "/opportunities", json=body)
    stages = (await live.ok("rep1", "GET", "/pipeline/stages"))["items"]
    gated = next(s for s in stages if s["kind"] == "open" and s["needs_evidence"])
    assert deal["stage"] != gated["key"]

    await sign_in(phone, "rep1")
    await page.get_by_role("link", name="商机", exact=True).click()
    row = page.get_by_test_id("deal-row").filter(has_text=deal["name"])
    await row.first.wait_for()
    await phone.shot("13-pipeline")
    await row.first.click()

    await page.get_by_label("阶段").select_option(gated["key"])
    await page.get_by_label("下一步").fill("下周二现场演示")
    await page.get_by_label("金额（CNY）").fill("888000")
    await page.get_by_label("预计成交日").fill("2027-04-30")
    await page.get_by_label("承诺日期").fill("2027-01-15")
    await page.get_by_role("button", name="保存更改").click()

    # Past qualification needs evidence from the customer: refused, nothing written, the reason on screen.
    refused = page.get_by_test_id("conflict")
    await refused.get_by_text("未被接受").wait_for()
    await refused.get_by_text("客户主动的互动记录").wait_for()
    [entry] = await outbox(phone)
    assert entry["state"] == "failed" and entry["status"] == 422
    assert (await live.ok("rep1", "GET", f"/opportunities/{deal['id']}"))["version"] == deal["version"]
    await page.get_by_test_id("outbox-badge").get_by_text("1 项待处理").wait_for()
    await phone.shot("15-deal-refused")

    # The customer wrote in: log it, and the same update goes through.
    await page.get_by_label("类型").select_option("email")
    await page.get_by_label("发起方").select_option("inbound")
    await page.get_by_label("情况说明").fill("客户邮件确认预算已批")
    await page.get_by_role("button", name="记录").click()

    async def logged() -> list[dict]:
        found = await live.ok("rep1", "GET", "/activities", params={"opportunity_id": deal["id"], "limit": 20})
        return [a for a in found["items"] if a["summary"] == "客户邮件确认预算已批"]

    [activity] = await eventually(logged)
    assert activity["kind"] == "email" and activity["direction"] == "inbound"

    await refused.get_by_role("button", name="重试").click()
    updated = await eventually(lambda: _changed(phone, deal["id"], deal["version"]))
    assert updated["stage"] == gated["key"] and updated["next_step"] == "下周二现场演示"
    assert updated["amount"] == 888000 * 100
    assert updated["close_date"] == "2027-04-30" and updated["promised_date"] == "2027-01-15"
    assert updated["version"] == deal["version"] + 1
    await refused.wait_for(state="detached")
    assert await outbox(phone) == []
    await page.get_by_text("客户邮件确认预算已批").wait_for()
    assert await page.get_by_label("阶段").input_value() == gated["key"]
    await phone.shot("14-deal-updated")


async def _changed(phone: Phone, deal_id: str, version: int) -> dict | None:
    deal = await phone.live.ok("rep1", "GET", f"/opportunities/{deal_id}")
    return deal if deal["version"] > version else None


async def test_every_deal_shows_while_the_stages_are_slow_or_out_of_reach(phone: Phone) -> None:
    """The pipeline is grouped by the org's stages, read separately. Until they arrive the list waits; when they
    cannot be read, every deal is shown in one list. No deal is ever folded away as "won or lost" for want of
    the stages (which once hid the whole pipeline behind a closed fold, and kept it there for a tap)."""
    live, page = phone.live, phone.page
    rep = (await live.ok("rep1", "GET", "/me"))["id"]
    deals = (await live.ok("rep1", "GET", "/opportunities", params={"owner_id": rep, "limit": 100}))["items"]
    stages = (await live.ok("rep1", "GET", "/pipeline/stages"))["items"]
    open_keys = {s["key"] for s in stages if s["kind"] == "open"}
    open_deals = [d for d in deals if d["stage"] in open_keys]
    assert open_deals and len(open_deals) < len(deals), "the demo rep has open and closed deals"
    rows = page.get_by_test_id("deal-row")

    # Out of reach (and never seen before): one plain list of every deal, all of it on screen.
    async def unreachable(route: Any) -> None:
        await route.abort()

    await phone.context.route("**/api/v1/pipeline/stages*", unreachable)
    await sign_in(phone, "rep1")
    await page.get_by_role("link", name="商机", exact=True).click()
    await rows.first.wait_for()
    assert await rows.count() == len(deals)
    assert await page.locator("details [data-testid=deal-row]").count() == 0
    await phone.context.unroute("**/api/v1/pipeline/stages*", unreachable)

    # Slow: the page waits for them, then groups; the first deal on screen opens with a tap.
    release = asyncio.Event()

    async def slow(route: Any) -> None:
        await release.wait()
        await route.continue_()

    await phone.context.route("**/api/v1/pipeline/stages*", slow)
    # The deals themselves have arrived: without the stages, none of them may be drawn yet.
    async with page.expect_response(lambda r: "/api/v1/opportunities?" in r.url and r.status == 200):
        await page.reload()
    await page.get_by_text("加载中…").wait_for()
    assert await rows.count() == 0
    release.set()
    await page.locator(".stage-group").first.wait_for()
    assert await page.locator(".stage-group [data-testid=deal-row]").count() == len(open_deals)
    assert await page.locator("details [data-testid=deal-row]").count() == len(deals) - len(open_deals)
    first = await rows.first.get_attribute("href")
    await rows.first.click()
    await page.wait_for_url(f"**{first}")
