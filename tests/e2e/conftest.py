"""The PWA end to end: Debian's Chromium, driven by Playwright, against a real uvicorn server.

Each test gets its own server on a free loopback port, serving ``create_app(settings)`` on a fresh copy of a
migrated SQLite database with the demo organisation (and its knowledge articles) loaded, with the built PWA
from pwa/dist and the push service stand-in allowed. The browser is mobile: 375 × 667, touch, Chinese.
Nothing leaves the machine: every request to another origin than the server's is aborted (map tiles
included: the tests point the tile layer at a closed loopback port, as a phone without tiles would see).

Outside CI, the tests are skipped with a message when Chromium, Playwright or the PWA build is missing; with
CI=true they fail instead.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from api.app import create_app
from api.db.migrations import upgrade
from api.demo.loader import load_demo
from api.settings import Settings
from tests.support_push_service import PushServiceStandIn

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("FIELDLOOP_CHROMIUM", "/usr/bin/chromium"))
DIST = ROOT / "pwa" / "dist"
IN_CI = os.environ.get("CI", "").lower() == "true"
SECRET = "e2e-secret-" + "y" * 40
PASSWORD = "fieldloop-demo"
DOMAIN = "demo.fieldloop.example"
ARTIFACTS = Path(os.environ.get("FIELDLOOP_E2E_ARTIFACTS", ROOT / "var" / "e2e"))
# Where the map's tiles come from in the tests: a closed loopback port, so tiles fail as they would without
# signal, and no test ever asks a real tile server.
NO_TILES = "http://127.0.0.1:9/{z}/{x}/{y}.png"
SHANGHAI = {"latitude": 31.2304, "longitude": 121.4737, "accuracy": 20}


def _missing() -> str | None:
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing: apt-get install -y chromium"
    if not (DIST / "index.html").exists():
        return "pwa/dist is not built: cd pwa && npm ci && npm run build"
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "Playwright for Python is missing: .venv/bin/pip install playwright (no `playwright install` needed)"
    return None


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "own_dist: the test's server serves its own copy of pwa/dist (live.dist)")
    config.addinivalue_line("markers", "access_token_ttl(seconds): the test's server issues short-lived tokens")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Keeps each phase's report on the test, so that the phone can tell in teardown whether the test failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    reason = _missing()
    if reason is None:
        return
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.skip(reason=f"end-to-end tests skipped: {reason}"))


@pytest.fixture(scope="session", autouse=True)
def _fail_in_ci_when_missing() -> None:
    reason = _missing()
    if reason and IN_CI:
        pytest.fail(f"CI=true but the end-to-end tests cannot run: {reason}", pytrace=False)


# ---------------------------------------------------------------------------------------------- the server


@pytest.fixture(scope="session")
async def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file with the demo organisation and its knowledge articles, copied for each test."""
    path = tmp_path_factory.mktemp("e2e-template") / "demo.db"
    url = f"sqlite+aiosqlite:///{path}"
    upgrade(url)
    settings = Settings(database_url=url, secret_key=SECRET, var_dir=path.parent / "var")
    await load_demo(settings)
    await _ensure_knowledge(settings)
    await _ensure_policies(settings)
    return path


async def _ensure_policies(settings: Settings) -> None:
    """The default approval policies (a discount over 10 % goes to the manager), when the demo lacks them."""
    from sqlalchemy import select

    from api.db.engine import Database
    from api.db.models import Organisation

    try:
        from api.approvals.defaults import ensure_default_policies
    except ImportError:
        return
    db = Database(settings)
    try:
        async with db.sessionmaker() as session:
            for org in (await session.execute(select(Organisation))).scalars():
                await ensure_default_policies(session, org.id)
            await session.commit()
    finally:
        await db.dispose()


async def _ensure_knowledge(settings: Settings) -> None:
    """The demo's bilingual articles, when the demo loader does not load them itself (yet)."""
    from sqlalchemy import func, select

    from api.db.engine import Database
    from api.db.models import KnowledgeArticle, Organisation, User

    try:
        from api.knowledge.demo_articles import load_demo_articles
    except ImportError:  # the knowledge domain without demo content: the search tests will say so
        return
    db = Database(settings)
    try:
        async with db.sessionmaker() as session:
            org = (await session.execute(select(Organisation).where(Organisation.name == "Demo"))).scalar_one()
            articles = select(func.count()).select_from(KnowledgeArticle).where(KnowledgeArticle.org_id == org.id)
            if not await session.scalar(articles):
                editors = [f"admin@{DOMAIN}", f"manager1@{DOMAIN}"]
                found = await session.execute(select(User.id).where(User.org_id == org.id, User.email.in_(editors)))
                authors = list(found.scalars())
                await load_demo_articles(session, org.id, authors)
                await session.commit()
    finally:
        await db.dispose()


@pytest.fixture(scope="session")
def push_service() -> Iterator[PushServiceStandIn]:
    with PushServiceStandIn() as service:
        yield service


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Live:
    """The running server, and the test's own HTTP client to look at it (as any API client would)."""

    base_url: str
    settings: Settings
    push: PushServiceStandIn
    dist: Path = DIST
    tokens: dict[str, str] = field(default_factory=dict)

    async def token(self, who: str) -> str:
        if who not in self.tokens:
            async with httpx.AsyncClient(base_url=self.base_url) as client:
                answer = await client.post("/api/v1/auth/token", json={"email": email(who), "password": PASSWORD})
                answer.raise_for_status()
                self.tokens[who] = answer.json()["access_token"]
        return self.tokens[who]

    async def api(self, who: str | None, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = dict(kwargs.pop("headers", {}))
        if who:
            headers["Authorization"] = f"Bearer {await self.token(who)}"
        if method != "GET":
            headers.setdefault("Idempotency-Key", os.urandom(12).hex())
        async with httpx.AsyncClient(base_url=self.base_url, timeout=30) as client:
            return await client.request(method, "/api/v1" + path, headers=headers, **kwargs)

    async def ok(self, who: str | None, method: str, path: str, **kwargs: Any) -> Any:
        answer = await self.api(who, method, path, **kwargs)
        assert answer.status_code < 300, f"{method} {path}: {answer.status_code} {answer.text}"
        return answer.json() if answer.content else None


def email(who: str) -> str:
    return who if "@" in who else f"{who}@{DOMAIN}"


class _Server(uvicorn.Server):
    def install_signal_handlers(self) -> None:  # a thread cannot take signals; the test ends it
        pass


@pytest.fixture
async def live(
    demo_template: Path,
    push_service: PushServiceStandIn,
    tmp_path: Path,
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[Live]:
    dist = DIST
    if request.node.get_closest_marker("own_dist"):
        # A test that changes the app's files (a new version) does so on its own copy.
        import api.web

        dist = tmp_path / "dist"
        shutil.copytree(DIST, dist)
        monkeypatch.setattr(api.web, "PWA_DIST", dist)
    ttl = request.node.get_closest_marker("access_token_ttl")
    db_path = tmp_path / "fieldloop.db"
    shutil.copyfile(demo_template, db_path)
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{db_path}",
        secret_key=SECRET,
        var_dir=tmp_path / "var",
        push_allowed_hosts=(push_service.origin,),
        principal_cache_ttl_s=0.0,
        relay_poll_s=0.2,
    )
    if ttl:
        settings.access_token_ttl_s = ttl.args[0]
    port = _free_port()
    # loop="asyncio": uvicorn's "auto" would set uvloop's event loop policy for this whole process, the tests' own
    # loops (and Playwright's connection to its driver) included, and the browser tests then stall.
    config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning", loop="asyncio")
    server = _Server(config)
    thread = threading.Thread(target=server.run, name="e2e-uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the e2e server did not start")
        await asyncio.sleep(0.05)
    yield Live(f"http://127.0.0.1:{port}", settings, push_service, dist)
    server.should_exit = True
    await asyncio.to_thread(thread.join, 15)


# ---------------------------------------------------------------------------------------------- the browser


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Any]:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
                "--disable-sync",
                "--disable-default-apps",
            ],
        )
        yield chromium
        await chromium.close()


@dataclass
class Phone:
    """One test's browser context and page, with what it tried to fetch from elsewhere."""

    context: Any
    page: Any
    live: Live
    shots: Path
    blocked: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)

    async def shot(self, name: str) -> Path:
        path = self.shots / f"{name}.png"
        await self.page.screenshot(path=str(path), full_page=False)
        return path


@pytest.fixture
async def phone(browser: Any, live: Live, request: pytest.FixtureRequest) -> AsyncIterator[Phone]:
    context = await browser.new_context(
        base_url=live.base_url,
        viewport={"width": 375, "height": 667},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        geolocation=SHANGHAI,
        permissions=["geolocation", "background-sync"],
        service_workers="allow",
    )
    shots = ARTIFACTS / re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
    shots.mkdir(parents=True, exist_ok=True)
    phone = Phone(context, None, live, shots)

    async def block(route: Any) -> None:
        phone.blocked.append(route.request.url)
        await route.abort()

    origin = live.base_url
    # Generous waits: on two shared cores a cold service worker and the solver can be slow, never wrong.
    context.set_default_timeout(60_000)
    await context.route(lambda url: not url.startswith(origin), block)
    await context.add_init_script(f"try {{ localStorage.setItem('fl.tiles', {NO_TILES!r}) }} catch (e) {{}}")
    phone.page = await context.new_page()
    phone.page.on("console", lambda m: phone.console.append(f"{m.type}: {m.text}"))
    phone.page.on("pageerror", lambda e: phone.console.append(f"pageerror: {e}"))
    yield phone
    failed = getattr(request.node, "report_call", None)
    if failed is not None and failed.failed:
        await _what_the_phone_showed(phone)
    await context.close()
    # Nothing may have gone to the internet: the only blocked requests are the loopback "no tiles" address.
    outside = [u for u in phone.blocked if not u.startswith("http://127.0.0.1:")]
    assert not outside, f"requests to other hosts: {outside[:5]}"


async def _what_the_phone_showed(phone: Phone) -> None:
    """After a failure: the screen as a screenshot, and its text and console printed into the test's report."""
    try:
        await phone.shot("failure")
        text = await phone.page.locator("body").inner_text(timeout=5_000)
        print(f"--- the phone at {phone.page.url} ---\n{text}")
    except Exception as error:  # the page may be gone with the failure
        print(f"--- the phone could not be read: {error}")
    print("--- console ---\n" + "\n".join(phone.console[-40:]))
