async def test_health_reports_database_and_embedded_queue(client):
    response = await client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "db": "ok", "queue": "embedded"}


async def test_openapi_document_lists_the_contract_paths(client):
    paths = (await client.get("/schema/openapi.json")).json()["paths"]
    for path in (
        "/api/v1/auth/token",
        "/api/v1/me",
        "/api/v1/opportunities",
        "/api/v1/opportunities/{opportunity_id}/history",
    ):
        assert path in paths
