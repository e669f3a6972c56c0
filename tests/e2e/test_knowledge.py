"""Knowledge: search as you type, in Chinese, and read the article."""

from __future__ import annotations

import re

from tests.e2e.conftest import Phone
from tests.e2e.helpers import eventually, sign_in


async def test_search_in_chinese_as_you_type(phone: Phone) -> None:
    page = phone.page
    await sign_in(phone, "rep1")
    await page.get_by_role("link", name="知识", exact=True).click()
    box = page.get_by_role("searchbox", name="搜索文章")
    await box.press_sequentially("报价", delay=80)
    first = page.get_by_test_id("knowledge-result").first
    await first.wait_for()
    assert "报价" in await first.inner_text()
    assert "找到" in await page.get_by_test_id("search-where").inner_text()
    await page.locator("[data-testid=knowledge-result] mark").first.wait_for()
    await phone.shot("06-knowledge-search")

    title = await first.locator(".card-title").inner_text()
    await first.click()
    await page.locator(".article-title", has_text=title).wait_for()
    await page.get_by_role("button", name="置顶").click()
    await page.get_by_role("button", name="取消置顶").wait_for()
    await phone.shot("07-knowledge-article")


async def test_search_without_signal_runs_on_the_phone(phone: Phone) -> None:
    page = phone.page
    await sign_in(phone, "rep1")
    await page.get_by_role("link", name="知识", exact=True).click()
    box = page.get_by_role("searchbox", name="搜索文章")
    # Online: find the warranty terms and pin them, so they are kept on the phone.
    await box.press_sequentially("保修", delay=60)
    await page.get_by_test_id("knowledge-result").first.click()
    title = await page.locator(".article-title").inner_text()
    await page.get_by_role("button", name="置顶").click()
    await page.get_by_role("button", name="取消置顶").wait_for()
    await page.get_by_role("link", name="知识库").click()
    # The library says the pin is kept on the phone once the server took it.
    library = page.get_by_test_id("offline-library")
    await eventually(lambda: _pinned_on_phone(library))

    await phone.context.set_offline(True)
    await box.fill("")
    await box.press_sequentially("保修", delay=60)
    await page.get_by_test_id("search-where").get_by_text("本机离线找到").wait_for()
    hit = page.get_by_test_id("knowledge-result").filter(has_text=title)
    await hit.wait_for()
    await phone.shot("12-knowledge-offline")
    await hit.click()
    await page.locator(".article-title", has_text=title).wait_for()
    await page.get_by_role("button", name="取消置顶").wait_for()


async def _pinned_on_phone(library) -> bool:
    kept = re.search(r"本机已保存 (\d+) 篇离线文章，其中置顶 (\d+) 篇", await library.inner_text())
    return bool(kept) and int(kept[1]) >= int(kept[2]) >= 1


async def test_suggestions_for_the_deal_at_hand(phone: Phone) -> None:
    """From a deal, "articles for this deal" lists what the server suggests for it, named after the deal."""
    live, page = phone.live, phone.page
    rep = (await live.ok("rep1", "GET", "/me"))["id"]
    deals = await live.ok("rep1", "GET", "/opportunities", params={"owner_id": rep, "limit": 100})
    deal, expected = None, []
    for candidate in (d for d in deals["items"] if d["stage"] not in ("won", "lost")):
        found = await live.ok(
            "rep1", "GET", "/knowledge/suggestions", params={"opportunity_id": candidate["id"], "lang": "zh-CN"}
        )
        if found["items"]:
            deal, expected = candidate, found["items"]
            break
    assert deal, "the demo's knowledge fits at least one of rep1's open deals"

    await sign_in(phone, "rep1")
    await page.goto(f"/opportunities/{deal['id']}")
    await page.get_by_role("link", name="此商机的相关资料").click()
    section = page.get_by_role("region", name=f"适用于 {deal['name']}")
    await section.wait_for()
    titles = await section.locator("[data-testid=knowledge-result] .card-title").all_inner_texts()
    assert titles == [item["title"] for item in expected]
    await phone.shot("16-knowledge-suggestions")
    await section.get_by_test_id("knowledge-result").first.click()
    await page.locator(".article-title", has_text=expected[0]["title"]).wait_for()
