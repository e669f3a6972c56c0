"""Idempotency-Key: the same request twice answers the same and writes once; a different body is refused."""

import asyncio
import uuid

from tests.integration.opportunities.helpers import create, new_opportunity, patch


async def _count(client, caller) -> int:
    return len((await client.get("/api/v1/opportunities", headers=caller.headers)).json()["items"])


async def test_a_replayed_request_returns_the_stored_response_and_writes_once(client, world):
    headers = {**world.rep_a.headers, "Idempotency-Key": "offline-create-1"}
    body = new_opportunity(world.account_a)
    first = await client.post("/api/v1/opportunities", json=body, headers=headers)
    second = await client.post("/api/v1/opportunities", json=body, headers=headers)
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second.headers["idempotent-replayed"] == "true"
    assert await _count(client, world.rep_a) == 1


async def test_the_same_key_with_a_different_body_is_422_and_changes_nothing(client, world):
    headers = {**world.rep_a.headers, "Idempotency-Key": "k-2"}
    await client.post("/api/v1/opportunities", json=new_opportunity(world.account_a), headers=headers)
    other = await client.post(
        "/api/v1/opportunities", json=new_opportunity(world.account_a, name="another"), headers=headers
    )
    assert other.status_code == 422
    assert other.json()["type"].endswith("/idempotency-key-reused")
    assert await _count(client, world.rep_a) == 1


async def test_keys_belong_to_their_user(client, world):
    body = new_opportunity(world.account_a)
    await client.post("/api/v1/opportunities", json=body, headers={**world.rep_a.headers, "Idempotency-Key": "shared"})
    mine = await client.post(
        "/api/v1/opportunities",
        json=new_opportunity(world.account_b),
        headers={**world.rep_b.headers, "Idempotency-Key": "shared"},
    )
    assert mine.status_code == 201
    assert mine.json()["account_id"] == str(world.account_b)


async def test_a_failed_request_releases_its_key(client, world):
    headers = {**world.rep_a.headers, "Idempotency-Key": "retry-after-fix"}
    body = new_opportunity(world.account_a, stage="lost")
    assert (await client.post("/api/v1/opportunities", json=body, headers=headers)).status_code == 422
    assert await _count(client, world.rep_a) == 0
    assert (await client.post("/api/v1/opportunities", json=body, headers=headers)).status_code == 422


async def test_two_concurrent_requests_with_one_key_write_exactly_once(client, world):
    headers = {**world.rep_a.headers, "Idempotency-Key": "double-tap"}
    body = new_opportunity(world.account_a, id=str(uuid.uuid4()))
    responses = await asyncio.gather(
        *[client.post("/api/v1/opportunities", json=body, headers=headers) for _ in range(6)]
    )
    statuses = sorted(r.status_code for r in responses)
    assert set(statuses) <= {201, 409}
    assert 201 in statuses
    assert all(r.json()["id"] == body["id"] for r in responses if r.status_code == 201)
    assert await _count(client, world.rep_a) == 1


async def test_replayed_patch_does_not_bump_the_version_twice(client, world):
    deal = await create(client, world.rep_a, world.account_a)
    headers = {**world.rep_a.headers, "If-Match": f'"{deal["version"]}"', "Idempotency-Key": "patch-1"}
    url = f"/api/v1/opportunities/{deal['id']}"
    first = await client.patch(url, json={"next_step": "send quote"}, headers=headers)
    again = await client.patch(url, json={"next_step": "send quote"}, headers=headers)
    assert first.status_code == again.status_code == 200
    assert again.json()["version"] == first.json()["version"] == deal["version"] + 1


async def test_if_match_is_required_and_stale_versions_are_refused(client, world):
    deal = await create(client, world.rep_a, world.account_a)
    url = f"/api/v1/opportunities/{deal['id']}"
    missing = await client.patch(url, json={"next_step": "x"}, headers=world.rep_a.headers)
    assert missing.status_code == 428
    ok = await patch(client, world.rep_a, deal, next_step="first")
    assert ok.status_code == 200
    assert ok.headers["etag"] == f'"{deal["version"] + 1}"'
    stale = await patch(client, world.rep_a, deal, next_step="second, based on an old read")
    assert stale.status_code == 412
    current = (await client.get(url, headers=world.rep_a.headers)).json()
    assert current["next_step"] == "first"


async def test_a_client_chosen_id_that_exists_is_a_conflict(client, world):
    deal = await create(client, world.rep_a, world.account_a)
    again = await client.post(
        "/api/v1/opportunities", json=new_opportunity(world.account_a, id=deal["id"]), headers=world.rep_a.headers
    )
    assert again.status_code == 409
    assert again.headers["content-type"].startswith("application/problem+json")


async def test_oversized_bodies_are_413_and_page_sizes_are_limited(client, world):
    huge = {"account_id": str(world.account_a), "name": "x", "description": "长" * 600_000}
    response = await client.post("/api/v1/opportunities", json=huge, headers=world.rep_a.headers)
    assert response.status_code == 413
    assert response.json()["type"].endswith("/payload-too-large")
    too_many = await client.get("/api/v1/opportunities?limit=1000", headers=world.rep_a.headers)
    assert too_many.status_code == 422
    assert too_many.json()["errors"][0]["field"] == "limit"
