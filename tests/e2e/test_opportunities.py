"""Opportunities: my pipeline, a quick update with If-Match, and logging what the customer did."""

from __future__ import annotations

from tests.e2e.conftest import Phone
from tests.e2e.helpers import eventually, sign_in, user_id


async def test_quick_update_and_log_a_customer_action(phone: Phone) -> None:
    live, page = phone.live, phone.page
    rep = await user_id(live, "rep1")
    deals = await live.ok("rep1", "GET", "/opportunities", params={"owner_id": rep, "limit": 100})
    account = next(d for d in deals["items"] if d["stage"] not in ("won", "lost"))["account_id"]
    # A deal priced as a whole (no line items: with them, the amount is their sum and changes through them).
    body = {
        "account_id": account,
        "name": "年度维保服务 Annual service",
        "amount": 300_000 * 100,
        "close_date": "2027-03-31",
    }
    deal = await live.ok("rep1", "POST", "/opportunities", json=body)

    await sign_in(phone, "rep1")
    await page.get_by_role("link", name="商机", exact=True).click()
    row = page.get_by_test_id("deal-row").filter(has_text=deal["name"])
    await row.first.wait_for()
    await phone.shot("13-pipeline")
    await row.first.click()

    await page.get_by_label("下一步").fill("下周二现场演示")
    await page.get_by_label("金额（CNY）").fill("888000")
    await page.get_by_label("承诺日期").fill("2027-01-15")
    await page.get_by_role("button", name="保存更改").click()
    updated = await eventually(lambda: _changed(phone, deal["id"], deal["version"]))
    assert updated["next_step"] == "下周二现场演示"
    assert updated["amount"] == 888000 * 100 and updated["promised_date"] == "2027-01-15"
    assert updated["version"] == deal["version"] + 1

    await page.get_by_label("类型").select_option("email")
    await page.get_by_label("情况说明").fill("客户邮件确认预算已批")
    await page.get_by_role("button", name="记录").click()

    async def logged() -> list[dict]:
        found = await live.ok("rep1", "GET", "/activities", params={"opportunity_id": deal["id"], "limit": 20})
        return [a for a in found["items"] if a["summary"] == "客户邮件确认预算已批"]

    [activity] = await eventually(logged)
    assert activity["kind"] == "email" and activity["direction"] == "inbound"
    await page.get_by_text("客户邮件确认预算已批").wait_for()
    await phone.shot("14-deal-updated")


async def _changed(phone: Phone, deal_id: str, version: int) -> dict | None:
    deal = await phone.live.ok("rep1", "GET", f"/opportunities/{deal_id}")
    return deal if deal["version"] > version else None
