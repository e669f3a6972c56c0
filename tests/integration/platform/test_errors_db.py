"""Values the database cannot store are a clear 422, on both databases, never a 500."""


async def test_a_nul_character_is_refused_with_422(client, world):
    response = await client.post("/api/v1/accounts", json={"name": "Acme\u0000"}, headers=world.rep_a.headers)
    assert response.status_code in (201, 422)  # SQLite stores it; PostgreSQL cannot
    if response.status_code == 422:
        assert response.json()["errors"][0]["code"] == "unstorable_value"
    token = await client.post("/api/v1/auth/token", json={"email": "a\u0000b@acme.test", "password": "x"})
    assert token.status_code in (401, 422)
    search = await client.get("/api/v1/accounts?q=a%00", headers=world.rep_a.headers)
    assert search.status_code in (200, 422)


async def test_an_unreadable_body_is_a_400_problem(client, world):
    response = await client.post(
        "/api/v1/opportunities", content=b"\x00", headers={**world.rep_a.headers, "content-type": "application/json"}
    )
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["detail"]
