"""The PWA is served at / with deep links, and its entry points are never cached."""

import pytest

from api.web import PWA_DIST


@pytest.fixture
def built():
    if not (PWA_DIST / "index.html").exists():
        pytest.skip("the PWA is not built: run `cd pwa && npm ci && npm run build` (make test does)")


async def test_the_app_and_its_worker_are_served(client, built):
    index = await client.get("/")
    assert index.status_code == 200
    assert index.headers["content-type"].startswith("text/html")
    assert index.headers["cache-control"] == "no-cache"
    worker = await client.get("/sw.js")
    assert worker.status_code == 200
    assert worker.headers["content-type"].startswith("text/javascript")
    assert worker.headers["cache-control"] == "no-cache"
    manifest = await client.get("/manifest.webmanifest")
    assert manifest.headers["content-type"].startswith("application/manifest+json")
    assert manifest.json()["display"] == "standalone"


async def test_deep_links_open_the_app_but_api_paths_stay_404(client, built):
    deep = await client.get("/approvals/0b7c5a4e-3f5d-4a8e-9d7a-111111111111")
    assert deep.status_code == 200
    assert deep.text == (await client.get("/")).text
    assert (await client.get("/api/v1/nothing")).status_code == 404
    assert (await client.get("/assets/missing-file.js")).status_code == 404
