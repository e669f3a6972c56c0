"""Values the database cannot store are a clear 422, on both databases, never a 500."""


async def test_a_nul_character_is_stored_or_refused_with_422_never_500(client, world, settings):
    # SQLite stores a NUL; PostgreSQL cannot, and must say so as a field problem.
    stored, refused = (201, 401) if settings.is_sqlite else (422, 422)
    response = await client.post("/api/v1/accounts", json={"name": "Acme\u0000"}, headers=world.rep_a.headers)
    assert response.status_code == stored
    if not settings.is_sqlite:
        assert response.json()["errors"][0]["code"] == "unstorable_value"
    token = await client.post("/api/v1/auth/token", json={"email": "a\u0000b@acme.test", "password": "x"})
    assert token.status_code == refused
    search = await client.get("/api/v1/accounts?q=a%00", headers=world.rep_a.headers)
    assert search.status_code == (200 if settings.is_sqlite else 422)


async def test_an_unreadable_body_is_a_400_problem(client, world):
    response = await client.post(
        "/api/v1/opportunities", content=b"\x00", headers={**world.rep_a.headers, "content-type": "application/json"}
    )
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["detail"]
