"""Knowledge: search as you type, in Chinese, and read the article."""

from __future__ import annotations

from tests.e2e.conftest import Phone
from tests.e2e.helpers import sign_in


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
