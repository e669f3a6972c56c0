from tests.e2e.conftest import Phone
from tests.e2e.helpers import sign_in, outbox
import asyncio

async def test_debug(phone: Phone) -> None:
    page = phone.page
    await sign_in(phone, "rep1")
    await page.get_by_role("button", name="规划今天").click()
    await page.get_by_test_id("plan-summary").wait_for(timeout=30_000)
    await asyncio.sleep(1)
    print("SVG", await page.evaluate("""() => { const s = document.querySelector('.leaflet-overlay-pane svg'); return s ? s.outerHTML.slice(0, 1500) + ' style=' + getComputedStyle(s).cssText.length + ' w=' + s.getBoundingClientRect().width : 'none' }"""))
    print("LINKS", await page.evaluate("""() => [...document.querySelectorAll('link[rel=stylesheet], style')].map(l => l.href || l.textContent.slice(0,80))"""))
    print("CS", await page.evaluate("""() => { const s = document.querySelector('.leaflet-overlay-pane svg'); const c = getComputedStyle(s); return [c.width, c.height, c.maxWidth, c.display, c.position, c.visibility, c.opacity, getComputedStyle(s.parentElement).width, document.querySelector('.leaflet-container').className, getComputedStyle(document.querySelector('.leaflet-container')).fontSize] }"""))
    assert False
