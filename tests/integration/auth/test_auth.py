"""Sign-in, refresh rotation with reuse detection, sign-out and throttling."""

import pytest

from tests.conftest import PASSWORD, sign_in


async def test_sign_in_returns_a_short_lived_bearer_pair(client, world):
    response = await client.post("/api/v1/auth/token", json={"email": "A@acme.test", "password": PASSWORD})
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer"
    assert 0 < body["expires_in"] <= 3600
    me = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.json()["email"] == "a@acme.test"
    assert me.json()["roles"] == ["rep"]
    assert me.json()["timezone"] == "Asia/Shanghai"


async def test_wrong_password_is_401_problem(client, world):
    response = await client.post("/api/v1/auth/token", json={"email": "a@acme.test", "password": "nope"})
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["type"].endswith("/unauthorized")


async def test_me_needs_a_valid_token(client, world):
    assert (await client.get("/api/v1/me")).status_code == 401
    forged = world.rep_a.token[:-3] + ("AAA" if not world.rep_a.token.endswith("AAA") else "BBB")
    assert (await client.get("/api/v1/me", headers={"Authorization": f"Bearer {forged}"})).status_code == 401


async def test_refresh_rotates_and_reuse_revokes_the_family(client, world):
    first = world.rep_a.refresh_token
    rotated = await client.post("/api/v1/auth/refresh", json={"refresh_token": first})
    assert rotated.status_code == 200
    second = rotated.json()
    assert second["refresh_token"] != first
    # The old refresh token is spent; presenting it again is theft, and ends the whole sign-in.
    reused = await client.post("/api/v1/auth/refresh", json={"refresh_token": first})
    assert reused.status_code == 401
    assert (
        await client.post("/api/v1/auth/refresh", json={"refresh_token": second["refresh_token"]})
    ).status_code == 401
    me = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {second['access_token']}"})
    assert me.status_code == 401
    # Other sign-ins of the same user are untouched.
    assert (await client.get("/api/v1/me", headers=(await sign_in(client, "a@acme.test")).headers)).status_code == 200


async def test_logout_revokes_access_and_refresh_tokens(client, world):
    response = await client.post("/api/v1/auth/logout", headers=world.rep_b.headers)
    assert response.status_code == 204
    assert (await client.get("/api/v1/me", headers=world.rep_b.headers)).status_code == 401
    refresh = await client.post("/api/v1/auth/refresh", json={"refresh_token": world.rep_b.refresh_token})
    assert refresh.status_code == 401


async def test_failed_sign_ins_are_throttled_per_account_with_retry_after(client, world):
    for _ in range(5):
        response = await client.post("/api/v1/auth/token", json={"email": "c@acme.test", "password": "wrong"})
        assert response.status_code == 401
    blocked = await client.post("/api/v1/auth/token", json={"email": "c@acme.test", "password": PASSWORD})
    assert blocked.status_code == 429
    assert int(blocked.headers["retry-after"]) > 0
    # Another account from the same address still signs in (the per-address limit is higher).
    assert (
        await client.post("/api/v1/auth/token", json={"email": "b@acme.test", "password": PASSWORD})
    ).status_code == 200


async def test_failed_sign_ins_are_throttled_per_address(client, world):
    for i in range(20):
        await client.post("/api/v1/auth/token", json={"email": f"nobody{i}@acme.test", "password": "wrong"})
    blocked = await client.post("/api/v1/auth/token", json={"email": "a@acme.test", "password": PASSWORD})
    assert blocked.status_code == 429
    assert "retry-after" in blocked.headers


@pytest.mark.parametrize("password_hash_prefix", ["$argon2id$v=19$m=19456,t=2,p=1$"])
async def test_passwords_are_hashed_with_argon2id(db, world, password_hash_prefix):
    from sqlalchemy import select

    from api.db.models import User

    async with db.sessionmaker() as session:
        hashes = (await session.execute(select(User.password_hash))).scalars().all()
    assert hashes and all(h.startswith(password_hash_prefix) for h in hashes)
