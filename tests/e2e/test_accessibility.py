"""Accessible on every screen: each control has a name, is at least 44 × 44 px to touch, text has enough
contrast, and the keyboard goes through the page in reading order starting with "skip to content"."""

from __future__ import annotations

import json
from typing import Any

from tests.e2e.conftest import Phone
from tests.e2e.helpers import eventually, sign_in, submit_discount

# Every control a person can reach, visible, with its name, size, and where a keyboard visits it.
AUDIT = """() => {
  const visible = (el) => {
    const r = el.getBoundingClientRect();
    const s = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none';
  };
  const nameOf = (el) => {
    if (el.getAttribute('aria-label')) return el.getAttribute('aria-label');
    const by = el.getAttribute('aria-labelledby');
    if (by) return by.split(/\\s+/).map((id) => document.getElementById(id)?.textContent || '').join(' ');
    if (el.labels && el.labels.length) return [...el.labels].map((l) => l.textContent).join(' ');
    if (el.matches('input, textarea')) return el.getAttribute('title') || '';
    return el.textContent || el.getAttribute('title') || '';
  };
  // An inline link inside a sentence is exempt from the target size (WCAG 2.5.8); so are the native radio
  // and checkbox squares, whose whole label row is the target.
  const inline = (el) => el.matches('a') && getComputedStyle(el).display === 'inline' &&
    (el.parentElement.textContent.trim() !== el.textContent.trim());
  const targetOf = (el) => (el.matches('input[type=radio], input[type=checkbox]') && el.closest('label')) || el;
  const controls = [...document.querySelectorAll(
    'a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]:not([tabindex="-1"])')]
    .filter(visible).filter((el) => !el.disabled);
  return controls.map((el) => {
    const r = targetOf(el).getBoundingClientRect();
    return {
      what: el.outerHTML.slice(0, 120),
      name: nameOf(el).trim(),
      width: r.width, height: r.height,
      exempt: inline(el),
      tabindex: el.tabIndex,
      inMap: Boolean(el.closest('.leaflet-control-attribution')),
    };
  });
}"""

CONTRAST = """() => {
  const rgb = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const background = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] > 0.9)) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const seen = new Set();
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!n.textContent.trim() || seen.has(el)) continue;
    seen.add(el);
    const r = el.getBoundingClientRect();
    const s = getComputedStyle(el);
    if (!r.width || !r.height || s.visibility === 'hidden') continue;
    if (el.closest('[aria-hidden=true], .visually-hidden, .skip')) continue;
    if (el.closest('button:disabled')) continue;
    const fg = rgb(s.color).slice(0, 3);
    const [a, b] = [lum(fg), lum(background(el))];
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    const size = parseFloat(s.fontSize);
    const large = size >= 24 || (size >= 18.66 && Number(s.fontWeight) >= 700);
    if (ratio < (large ? 3 : 4.5)) {
      out.push({ text: n.textContent.trim().slice(0, 40), ratio: Math.round(ratio * 100) / 100 });
    }
  }
  return out;
}"""


async def audit(phone: Phone, screen: str) -> None:
    controls: list[dict[str, Any]] = await phone.page.evaluate(AUDIT)
    assert controls, screen
    unnamed = [c["what"] for c in controls if not c["name"]]
    assert not unnamed, f"{screen}: controls without a name: {unnamed}"
    small = [
        (c["what"], round(c["width"]), round(c["height"]))
        for c in controls
        if not c["exempt"] and not c["inMap"] and (c["width"] < 44 or c["height"] < 44)
    ]
    assert not small, f"{screen}: touch targets under 44 px: {small}"
    assert all(c["tabindex"] <= 0 for c in controls), f"{screen}: a positive tabindex breaks the reading order"
    poor = await phone.page.evaluate(CONTRAST)
    assert not poor, f"{screen}: text below the WCAG AA contrast: {poor}"


async def keyboard_order(phone: Phone, steps: int = 12) -> list[str]:
    """Tabs from the top of the page (its first control); answers the controls in the order they took focus."""
    page = phone.page
    await page.evaluate("document.querySelector('a[href], button').focus()")
    order = [
        await page.evaluate(
            "() => JSON.stringify([0, document.activeElement.className,"
            " getComputedStyle(document.activeElement).outlineStyle])"
        )
    ]
    for _ in range(steps):
        await page.keyboard.press("Tab")
        order.append(
            await page.evaluate(
                """() => {
                    const el = document.activeElement;
                    const all = [...document.querySelectorAll('a[href], button, input, select, textarea, summary')];
                    return JSON.stringify([all.indexOf(el), el.className, getComputedStyle(el).outlineStyle]);
                }"""
            )
        )
    return order


async def test_every_screen_is_named_big_enough_and_readable(phone: Phone) -> None:
    live, page = phone.live, phone.page
    asked = await submit_discount(live, "rep1", 12)
    await page.goto("/")
    await page.get_by_role("heading", name="登录").wait_for()
    await audit(phone, "sign in")

    await sign_in(phone, "rep1")
    await page.get_by_role("button", name="规划今天").click()
    await page.get_by_test_id("next-visit").wait_for(timeout=30_000)
    await page.locator("[data-testid=map] .route-line").wait_for()
    await audit(phone, "today")

    screens = [
        ("/knowledge", "[data-testid=offline-library]"),
        ("/opportunities", "[data-testid=deal-row]"),
        ("/settings", "input[name=lang]"),
        ("/outbox", ".empty"),
    ]
    for path, ready in screens:
        await page.goto(path)
        await page.locator(ready).first.wait_for()
        await audit(phone, path)
    await page.goto("/opportunities")
    await page.get_by_test_id("deal-row").first.click()
    await page.get_by_label("下一步").wait_for()
    await audit(phone, "deal")
    await page.goto("/knowledge")
    await page.get_by_role("searchbox").fill("报价")
    await page.get_by_test_id("knowledge-result").first.click()
    await page.locator(".article-title").wait_for()
    await audit(phone, "article")

    # The approver's screens.
    await page.goto("/settings")
    await page.get_by_role("button", name="退出登录").click()
    await page.get_by_role("heading", name="登录").wait_for()
    await sign_in(phone, "manager1")
    await page.goto("/approvals")
    await page.get_by_test_id("approval-row").first.wait_for()
    await audit(phone, "approvals")
    await page.goto(f"/approvals/{asked['id']}")
    await page.get_by_role("button", name="批准").wait_for()
    await audit(phone, "decision")


async def test_the_keyboard_follows_the_reading_order(phone: Phone) -> None:
    page = phone.page
    await sign_in(phone, "rep1")
    await page.goto("/settings")
    await page.get_by_role("heading", name="设置").wait_for()
    order = [json.loads(o) for o in await keyboard_order(phone)]
    assert "skip" in order[0][1], f"the page's first control is 'skip to content', not {order[0][1]}"
    indexes = [i for i, _, _ in order]
    assert indexes == sorted(indexes) and len(set(indexes)) == len(indexes), f"out of reading order: {order}"
    assert all(style != "none" for _, _, style in order), "every focused control shows where the focus is"

    # "Skip to content" takes the keyboard past the header to the page itself.
    await page.goto("/settings")
    await page.get_by_role("heading", name="设置").wait_for()
    await page.evaluate("document.querySelector('.skip').focus()")
    await page.keyboard.press("Enter")
    await page.keyboard.press("Tab")

    async def in_main() -> bool:
        return await page.evaluate("Boolean(document.activeElement.closest('main'))")

    await eventually(in_main, within=3)
