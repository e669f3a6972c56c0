"""Push subscriptions over HTTP: the key, subscribing per device, SSRF refusals, unsubscribing, logout, history."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from api.db.models import PushDelivery, PushSubscription
from api.lib.i18n import t
from api.notifications.service import notify
from api.notifications.vapid import load_identity
from tests.conftest import sign_in
from tests.integration.notifications.helpers import subscribe

SUBSCRIPTIONS = "/api/v1/push/subscriptions"


async def _subscriptions(db) -> list[PushSubscription]:
    async with db.sessionmaker() as session:
        return list((await session.execute(select(PushSubscription))).scalars())


def _errors(response) -> dict[str, str]:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    return {e["field"]: e["code"] for e in response.json()["errors"]}


async def test_the_public_key_is_the_servers_vapid_key(client, world, settings):
    assert (await client.get("/api/v1/push/key")).status_code == 401
    response = await client.get("/api/v1/push/key", headers=world.rep_a.headers)
    assert response.json() == {"public_key": load_identity(settings).public_key}


async def test_subscribing_again_with_the_same_endpoint_replaces_the_subscription(client, world, db, push_service):
    phone, first = await subscribe(client, world.manager, push_service)
    assert first["endpoint"] == phone.endpoint and first["version"] == 1
    renewed = {**phone.to_json(), "expirationTime": 1893456000000}
    again = await client.post(SUBSCRIPTIONS, json=renewed, headers=world.manager.headers)
    assert again.status_code == 200
    assert (again.json()["id"], again.json()["version"]) == (first["id"], 2)
    assert again.json()["expires_at"] == "2030-01-01T00:00:00Z"
    [row] = await _subscriptions(db)
    assert row.user_id == world.manager.user_id


async def test_each_device_has_its_own_subscription(client, world, db, push_service):
    await subscribe(client, world.manager, push_service)
    second_device = await sign_in(client, world.manager.email)
    await subscribe(client, second_device, push_service)
    rows = await _subscriptions(db)
    assert len(rows) == 2 and len({r.session_id for r in rows}) == 2


@pytest.mark.parametrize(
    ("endpoint", "code"),
    [
        ("http://fcm.googleapis.com/fcm/send/abc", "insecure_scheme"),
        ("https://push.evil.example.org/fcm/send/abc", "host_not_allowed"),
        ("https://localhost/push/abc", "private_address"),
        ("https://localhost:8443/push/abc", "host_not_allowed"),
        ("not a url", "invalid_url"),
    ],
)
async def test_endpoints_the_server_must_not_fetch_are_refused(
    client, world, db, push_service, settings, endpoint, code
):
    settings.push_allowed_hosts = (*settings.push_allowed_hosts, "localhost")  # allowed by name, not explicitly
    body = {**push_service.new_subscriber().to_json(), "endpoint": endpoint}
    response = await client.post(SUBSCRIPTIONS, json=body, headers=world.manager.headers)
    assert _errors(response) == {"endpoint": code}
    assert await _subscriptions(db) == []


async def test_refusals_are_explained_in_the_callers_language(client, world, push_service):
    body = {**push_service.new_subscriber().to_json(), "endpoint": "http://fcm.googleapis.com/x"}
    headers = {**world.manager.headers, "Accept-Language": "zh-CN"}
    response = await client.post(SUBSCRIPTIONS, json=body, headers=headers)
    assert response.json()["errors"][0]["message"] == "推送地址必须使用 https。"


@pytest.mark.parametrize(
    ("keys", "fields"),
    [
        ({"p256dh": "BAAA", "auth": "AAAAAAAAAAAAAAAAAAAAAA"}, {"keys.p256dh": "invalid_key"}),
        ({"auth": "too-short"}, {"keys.auth": "invalid_key"}),
        (
            {"p256dh": "B" + "A" * 86, "auth": "not base64!!"},
            {"keys.p256dh": "invalid_key", "keys.auth": "invalid_key"},
        ),
    ],
)
async def test_keys_must_be_a_p256_point_and_a_16_byte_secret(client, world, db, push_service, keys, fields):
    subscription = push_service.new_subscriber().to_json()
    body = {**subscription, "keys": {**subscription["keys"], **keys}}
    response = await client.post(SUBSCRIPTIONS, json=body, headers=world.manager.headers)
    assert _errors(response) == fields
    assert await _subscriptions(db) == []


async def test_unknown_fields_are_refused(client, world, push_service):
    body = {**push_service.new_subscriber().to_json(), "user_id": str(uuid.uuid4())}
    response = await client.post(SUBSCRIPTIONS, json=body, headers=world.manager.headers)
    assert _errors(response) == {"user_id": "not_allowed"}


async def test_a_caller_can_remove_only_their_own_subscriptions(client, world, db, push_service):
    _, body = await subscribe(client, world.manager, push_service)
    other = await client.delete(f"{SUBSCRIPTIONS}/{body['id']}", headers=world.rep_a.headers)
    assert other.status_code == 404
    assert len(await _subscriptions(db)) == 1
    own = await client.delete(f"{SUBSCRIPTIONS}/{body['id']}", headers=world.manager.headers)
    assert own.status_code == 204
    assert await _subscriptions(db) == []
    again = await client.delete(f"{SUBSCRIPTIONS}/{body['id']}", headers=world.manager.headers)
    assert again.status_code == 404


async def test_logout_deletes_the_subscription_of_that_sign_in_only(client, world, db, push_service):
    await subscribe(client, world.manager, push_service)
    other_device = await sign_in(client, world.manager.email)
    _, kept = await subscribe(client, other_device, push_service)
    response = await client.post("/api/v1/auth/logout", headers=world.manager.headers)
    assert response.status_code == 204
    assert [str(r.id) for r in await _subscriptions(db)] == [kept["id"]]
    async with db.sessionmaker() as session:
        await notify(
            session, org_id=world.acme, user_id=world.manager.user_id, type="approval.decided",
            title=t("Approved", "已批准"), body=t("Done", "完成"), url="/approvals/1", tag="approval:1",
        )  # fmt: skip
        await session.commit()
        deliveries = (await session.execute(select(PushDelivery))).scalars().all()
    assert [str(d.subscription_id) for d in deliveries] == [kept["id"]]


async def test_the_in_app_history_lists_the_callers_notifications_newest_first(client, world, db):
    async with db.sessionmaker() as session:
        for n in range(3):
            await notify(
                session, org_id=world.acme, user_id=world.manager.user_id, type="reminder.promised_date",
                title=t(f"Reminder {n}", f"提醒 {n}"), body=t("Due", "到期"), url=f"/opportunities/{n}",
                tag=f"reminder:{n}", action_token=f"secret-{n}",
            )  # fmt: skip
            await session.flush()
        await notify(
            session, org_id=world.acme, user_id=world.rep_a.user_id, type="approval.decided",
            title=t("Not yours", "不是你的"), body=t("-", "-"), url="/x", tag="x",
        )  # fmt: skip
        await session.commit()
    first = await client.get("/api/v1/notifications?limit=2", headers=world.manager.headers)
    assert first.status_code == 200
    page = first.json()
    assert [n["title"] for n in page["items"]] == ["Reminder 2", "Reminder 1"]
    assert "action_token" not in page["items"][0]  # the token stays in the push message only
    rest = await client.get(
        f"/api/v1/notifications?limit=2&cursor={page['next_cursor']}", headers=world.manager.headers
    )
    assert [n["title"] for n in rest.json()["items"]] == ["Reminder 0"]
    assert rest.json()["next_cursor"] is None
    assert (await client.get("/api/v1/notifications")).status_code == 401
