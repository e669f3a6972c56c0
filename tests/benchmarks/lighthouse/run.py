"""Lighthouse 12.2.3 on the PWA, as served by the real server, with Debian's Chromium and the mobile preset.

Two audits, each three times (the median run is reported, as Lighthouse advises):

- ``first-load``: ``/`` on a cold browser, the sign-in screen: what a rep's phone downloads the first time.
- ``today-signed-in``: ``/today`` for a signed-in rep with a planned day, the service worker installed (map
  tiles set to none: nothing is fetched from the internet).

Prints the scores against the targets (performance ≥ 90, accessibility ≥ 95, best practices ≥ 95) and the
JavaScript and CSS the page loaded, measured by Lighthouse, next to the build's own gzip measurement against
the 150 KB budget (pwa/dist/size.json). Writes the reports to tests/benchmarks/lighthouse/results/.

    cd tests/benchmarks/lighthouse && npm ci          # once
    cd pwa && npm ci && npm run build                 # the app under test
    .venv/bin/python tests/benchmarks/lighthouse/run.py [--runs 3]

Exits non-zero when a target is missed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
CHROMIUM = Path(os.environ.get("CHROME_PATH", "/usr/bin/chromium"))
LIGHTHOUSE = HERE / "node_modules" / ".bin" / "lighthouse"
DIST = ROOT / "pwa" / "dist"
RESULTS = HERE / "results"
TARGETS = {"performance": 90, "accessibility": 95, "best-practices": 95}
CHROME_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
REP = "rep1@demo.fieldloop.example"
PASSWORD = "fieldloop-demo"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer")


def start_server(workdir: Path) -> tuple[subprocess.Popen[bytes], str]:
    """`fieldloop migrate`, `demo` and `serve` on a fresh SQLite file, as `make run` does."""
    env = dict(os.environ)
    env["FIELDLOOP_DATABASE_URL"] = f"sqlite+aiosqlite:///{workdir / 'lh.db'}"
    env["FIELDLOOP_VAR_DIR"] = str(workdir / "var")
    fieldloop = str(Path(sys.executable).parent / "fieldloop")
    for command in (["migrate"], ["demo"]):
        subprocess.run([fieldloop, *command], env=env, check=True, capture_output=True)
    port = free_port()
    server = subprocess.Popen(
        [fieldloop, "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    wait_http(base + "/health")
    return server, base


def start_chrome(profile: Path) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    chrome = subprocess.Popen(
        [str(CHROMIUM), *CHROME_FLAGS, f"--remote-debugging-port={port}", f"--user-data-dir={profile}", "about:blank"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_http(f"http://127.0.0.1:{port}/json/version")
    return chrome, port


async def sign_in_and_plan(port: int, base: str) -> None:
    """Signs the rep in through the app, plans the day, and sets the map to no tiles (no internet here)."""
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.connect_over_cdp(f"http://127.0.0.1:{port}")
        context = browser.contexts[0]
        await context.grant_permissions(["geolocation"], origin=base)
        page = await context.new_page()
        await page.goto(base + "/")
        await page.evaluate("localStorage.setItem('fl.tiles', 'none'); localStorage.setItem('fl.lang', 'zh-CN')")
        await page.reload()
        await page.locator("#email").fill(REP)
        await page.locator("#password").fill(PASSWORD)
        await page.locator("button[type=submit]").click()
        await page.wait_for_url("**/today")
        await page.wait_for_function("navigator.serviceWorker.controller !== null")
        await page.get_by_role("button", name="规划今天").click()
        await page.get_by_test_id("plan-summary").wait_for(timeout=30_000)
        await page.close()
        await browser.close()


def lighthouse(url: str, out: Path, port: int | None) -> dict[str, Any]:
    command = [
        str(LIGHTHOUSE),
        url,
        "--quiet",
        "--output=json",
        f"--output-path={out}",
        "--only-categories=performance,accessibility,best-practices",
    ]
    if port is None:
        command.append("--chrome-flags=" + " ".join(CHROME_FLAGS))
    else:  # an already running, signed-in browser: keep its storage (service worker, sign-in)
        command += [f"--port={port}", "--disable-storage-reset"]
    env = dict(os.environ, CHROME_PATH=str(CHROMIUM))
    subprocess.run(command, env=env, check=True, capture_output=True, timeout=300)
    return json.loads(out.read_text())


def summary(report: dict[str, Any]) -> dict[str, Any]:
    scores = {k: round(report["categories"][k]["score"] * 100) for k in TARGETS}
    requests = report["audits"]["network-requests"]["details"]["items"]
    code = [r for r in requests if r.get("resourceType") in ("Script", "Stylesheet")]
    metrics = report["audits"]["metrics"]["details"]["items"][0]
    failed = [
        a["id"]
        for a in report["audits"].values()
        if a.get("score") is not None and a["score"] < 0.9 and a.get("scoreDisplayMode") in ("binary", "numeric")
    ]
    return {
        "scores": scores,
        "js_css_transfer_kb": round(sum(r.get("transferSize", 0) for r in code) / 1024, 1),
        "js_css_resource_kb": round(sum(r.get("resourceSize", 0) for r in code) / 1024, 1),
        "js_css_files": [r["url"].split("/", 3)[-1] for r in code],
        "fcp_ms": round(metrics["firstContentfulPaint"]),
        "lcp_ms": round(metrics["largestContentfulPaint"]),
        "tbt_ms": round(metrics["totalBlockingTime"]),
        "cls": round(metrics["cumulativeLayoutShift"], 3),
        "below_0_9": failed,
    }


def median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    middle = statistics.median_low([r["scores"]["performance"] for r in runs])
    return next(r for r in runs if r["scores"]["performance"] == middle)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    needs = (
        (CHROMIUM, "apt-get install -y chromium"),
        (LIGHTHOUSE, "cd tests/benchmarks/lighthouse && npm ci"),
        (DIST / "index.html", "cd pwa && npm ci && npm run build"),
    )
    for needed, how in needs:
        if not needed.exists():
            print(f"missing {needed}: {how}", file=sys.stderr)
            return 2
    RESULTS.mkdir(exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="fieldloop-lh-"))
    server, base = start_server(workdir)
    results: dict[str, Any] = {}
    try:
        runs = [summary(lighthouse(base + "/", RESULTS / f"first-load-{i}.json", None)) for i in range(args.runs)]
        results["first-load"] = {"url": "/", "median": median_run(runs), "runs": [r["scores"] for r in runs]}

        chrome, port = start_chrome(workdir / "profile")
        try:
            asyncio.run(sign_in_and_plan(port, base))
            runs = [summary(lighthouse(base + "/today", RESULTS / f"today-{i}.json", port)) for i in range(args.runs)]
            scores = [r["scores"] for r in runs]
            results["today-signed-in"] = {"url": "/today", "median": median_run(runs), "runs": scores}
        finally:
            chrome.terminate()
            chrome.wait(10)
    finally:
        server.terminate()
        server.wait(10)
        shutil.rmtree(workdir, ignore_errors=True)

    size = json.loads((DIST / "size.json").read_text())
    results["bundle"] = {k: size[k] for k in ("budget_kb", "first_load_kb", "all_kb", "within_budget")}
    (RESULTS / "summary.json").write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")

    ok = size["within_budget"]
    print(f"Lighthouse 12.2.3, {CHROMIUM} (mobile preset, simulated throttling), median of {args.runs} runs")
    for name in ("first-load", "today-signed-in"):
        median = results[name]["median"]
        line = ", ".join(f"{k} {v} (≥ {TARGETS[k]})" for k, v in median["scores"].items())
        print(f"  {name:16} {results[name]['url']:7} {line}")
        timing = f"FCP {median['fcp_ms']} ms, LCP {median['lcp_ms']} ms, TBT {median['tbt_ms']} ms, CLS {median['cls']}"
        code = f"JS+CSS {median['js_css_resource_kb']} KB ({median['js_css_transfer_kb']} KB transferred)"
        print(f"  {'':16} {timing}; {code}")
        if median["below_0_9"]:
            print(f"  {'':16} audits below 0.9: {', '.join(median['below_0_9'])}")
        ok = ok and all(median["scores"][k] >= TARGETS[k] for k in TARGETS)
    print(
        f"  bundle (gzip, build): first load {size['first_load_kb']} KB, all code {size['all_kb']} KB,"
        f" budget {size['budget_kb']} KB"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
