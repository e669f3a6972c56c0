"""Today: plan the day, see the stops on the map (without tiles), check in where the customer is."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from tests.e2e.conftest import Phone
from tests.e2e.helpers import eventually, sign_in, user_id


async def plan_day(phone: Phone) -> None:
    page = phone.page
    await page.get_by_role("button", name="规划今天").click()
    await page.get_by_test_id("plan-summary").wait_for(timeout=30_000)


async def test_plan_my_day_shows_stops_and_route_on_the_map(phone: Phone) -> None:
    page = phone.page
    await sign_in(phone, "rep1")
    await page.get_by_text("今天还没有拜访计划").wait_for()
    await plan_day(phone)

    stops = page.get_by_test_id("stop")
    count = await stops.count()
    assert count >= 2, "the planner picks the rep's accounts worth a visit"
    # Every stop is a numbered marker on the map, joined by the route line, though no tile could load.
    markers = page.locator("[data-testid=map] .stop-marker")
    await eventually(lambda: _equals(markers.count(), count))
    assert await page.locator("[data-testid=map] path.route-line").count() == 1
    await page.get_by_text("地图底图无法加载").wait_for()
    # The tiles were asked from the configured tile URL (Settings, here a closed port), not from a default.
    assert any(u.startswith("http://127.0.0.1:9/") and u.endswith(".png") for u in phone.blocked)
    card = page.get_by_test_id("next-visit")
    await card.get_by_text("到达").wait_for()
    assert await card.get_by_role("link", name="高德").get_attribute("href") is not None
    await phone.shot("02-today-plan")

    visits = await phone.live.ok(
        "rep1", "GET", "/visits", params={"owner_id": await user_id(phone.live, "rep1"), "limit": 100}
    )
    assert len([v for v in visits["items"] if v["status"] == "planned"]) == count


async def test_check_in_with_the_phone_position(phone: Phone) -> None:
    page = phone.page
    await sign_in(phone, "rep1")
    await plan_day(phone)
    first = await _first_planned_visit(phone)
    await phone.context.set_geolocation({"latitude": first["lat"], "longitude": first["lon"], "accuracy": 15})

    await page.get_by_test_id("next-visit").get_by_role("button", name="到店签到").click()
    await page.get_by_test_id("checked-in").wait_for()
    visit = await eventually(lambda: _visit_checked_in(phone, first["id"]))
    assert visit["check_in_status"] == "verified" and visit["check_in_distance_m"] < 50
    await page.get_by_test_id("checked-in").get_by_text("位置已核实").wait_for()
    await phone.shot("03-today-checked-in")

    await page.get_by_role("button", name="签退").click()
    await page.get_by_label("拜访结果").select_option("positive")
    await page.get_by_label("备注").fill("客户同意下周试用")
    await page.get_by_role("button", name="签退").click()
    done = await eventually(lambda: _visit_status(phone, first["id"], "done"))
    assert done["outcome"] == "positive" and done["notes"] == "客户同意下周试用"


async def _equals(awaitable, expected):
    return await awaitable == expected


async def _first_planned_visit(phone: Phone) -> dict:
    visits = await phone.live.ok("rep1", "GET", "/visits", params={"owner_id": await user_id(phone.live, "rep1")})
    return next(v for v in visits["items"] if v["status"] == "planned")


async def _visit_checked_in(phone: Phone, visit_id: str) -> dict | None:
    return await _visit_status(phone, visit_id, "checked_in")


async def _visit_status(phone: Phone, visit_id: str, status: str) -> dict | None:
    visit = await phone.live.ok("rep1", "GET", f"/visits/{visit_id}")
    return visit if visit["status"] == status else None


async def test_re_plan_from_here(phone: Phone) -> None:
    """Mid-morning, after the first visit: the rest of the day is planned again from where the rep stands."""
    page = phone.page
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    await page.clock.set_fixed_time(datetime.combine(today, time(10, 30), ZoneInfo("Asia/Shanghai")))
    await sign_in(phone, "rep1")
    await plan_day(phone)
    first = await _first_planned_visit(phone)
    await phone.context.set_geolocation({"latitude": first["lat"], "longitude": first["lon"], "accuracy": 15})
    await page.get_by_test_id("next-visit").get_by_role("button", name="到店签到").click()
    await eventually(lambda: _visit_checked_in(phone, first["id"]))

    await page.get_by_role("button", name="从这里重新规划").click()
    await page.get_by_role("status").get_by_text("已重新规划").wait_for()
    plan = await phone.live.ok("rep1", "GET", f"/visits/plans/{first['plan_id']}")
    assert plan["revision"] >= 2
    assert await page.locator("[data-testid=map] .stop-marker").count() == len(plan["stops"])
