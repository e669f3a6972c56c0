"""Installable, served at /, signed in: the app shell itself."""

from __future__ import annotations

from typing import Any

from tests.e2e.conftest import Live, Phone
from tests.e2e.helpers import sign_in


async def test_sign_in_lands_on_today_in_chinese(phone: Phone) -> None:
    page = phone.page
    await page.goto("/")
    assert await page.locator("html").get_attribute("lang") == "zh-CN"
    await page.get_by_role("heading", name="登录").wait_for()
    await phone.shot("01-sign-in")

    await page.locator("#email").fill("rep1@demo.fieldloop.example")
    await page.locator("#password").fill("wrong password")
    await page.locator("button[type=submit]").click()
    await page.get_by_role("alert").get_by_text("邮箱或密码不正确").wait_for()

    await sign_in(phone, "rep1")
    await page.get_by_role("heading", name="今日拜访").wait_for()
    await page.get_by_role("navigation", name="主导航").wait_for()
    assert await page.get_by_role("link", name="今日", exact=True).get_attribute("aria-current") == "page"


async def test_manifest_worker_and_icons_are_served(phone: Phone) -> None:
    page = phone.page
    manifest = await (await page.request.get("/manifest.webmanifest")).json()
    assert manifest["display"] == "standalone" and manifest["scope"] == "/" and manifest["theme_color"]
    for icon in manifest["icons"]:
        assert (await page.request.get(icon["src"])).ok, icon["src"]
    worker = await page.request.get("/sw.js")
    assert worker.ok and "javascript" in worker.headers["content-type"]

    await sign_in(phone, "rep1")
    scope = await page.evaluate("navigator.serviceWorker.getRegistration().then(r => r.scope)")
    assert scope == phone.live.base_url + "/"


async def test_language_follows_the_switch(phone: Phone) -> None:
    page = phone.page
    await sign_in(phone, "rep1")
    await page.get_by_role("link", name="设置").click()
    await page.get_by_role("radio", name="English").check()
    await page.get_by_role("heading", name="Settings").wait_for()
    assert await page.locator("html").get_attribute("lang") == "en"
    await phone.shot("09-settings")
    await page.reload()
    await page.get_by_role("link", name="Approvals").wait_for()


async def test_an_english_phone_gets_english(browser: Any, live: Live) -> None:
    """The language follows the device until the user chooses: an English phone sees English throughout."""
    context = await browser.new_context(
        base_url=live.base_url,
        viewport={"width": 375, "height": 667},
        is_mobile=True,
        has_touch=True,
        locale="en-US",
        timezone_id="Asia/Shanghai",
    )
    await context.route(lambda url: not url.startswith(live.base_url), lambda route: route.abort())
    try:
        page = await context.new_page()
        await page.goto("/")
        await page.get_by_role("heading", name="Sign in").wait_for()
        assert await page.locator("html").get_attribute("lang") == "en"
        await page.locator("#email").fill("rep1@demo.fieldloop.example")
        await page.locator("#password").fill("fieldloop-demo")
        await page.get_by_role("button", name="Sign in").click()
        await page.get_by_role("heading", name="Today").wait_for()
        await page.get_by_role("navigation", name="Main").get_by_role("link", name="Approvals").wait_for()
        # The switch on the sign-in screen and in Settings overrides the device.
        await page.get_by_role("link", name="Settings").click()
        await page.get_by_role("radio", name="中文（简体）").check()
        await page.get_by_role("heading", name="设置").wait_for()
        await page.get_by_role("radio", name="跟随系统").check()
        await page.get_by_role("heading", name="Settings").wait_for()
    finally:
        await context.close()
