"""Schemathesis against a live server: no 5xx, and every answer is one the OpenAPI document describes.

The app runs under uvicorn on a free loopback port (a background thread), on the parametrised backend of the
``settings`` fixture. A rep with accounts, contacts, opportunities and activities is seeded through the API
itself; schemathesis then calls every operation as that rep. Generated ids are sometimes swapped for the
seeded ones, so the happy paths (200, 201, 204) are reached and their bodies checked, not only the 404s.

The example budget is bounded and the seed fixed, so a run is repeatable and stays within about a minute or two
per backend on two cores.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import msgspec
import pytest
import schemathesis
import uvicorn
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.app import create_app
from api.db.engine import Database
from api.orgs.service import UserSpec, create_user
from api.settings import Settings
from tests.conftest import rep_today

# Fuzzing examples per operation (the coverage and examples phases add their own, bounded, cases). Raise it for a
# deeper hunt, e.g. FIELDLOOP_FUZZ_EXAMPLES=300: the NUL-character 500s on PostgreSQL took about that many.
MAX_EXAMPLES = int(os.environ.get("FIELDLOOP_FUZZ_EXAMPLES", "25"))
SEED = 20261128
PASSWORD = "fuzz-password-123"
REP_EMAIL = "rep@fuzz.test"
COLLEAGUE_EMAIL = "colleague@fuzz.test"
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# Sign-out would end the very session every other case authenticates with; it is checked on its own below.
LOGOUT = ("POST", "/api/v1/auth/logout")


@dataclass
class Seeded:
    """What the rep owns, by kind, for the hooks that swap generated ids for real ones."""

    token: str
    ids: dict[str, list[str]] = field(default_factory=dict)


def _free_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


@pytest.fixture
def live_server(settings: Settings) -> Iterator[str]:
    """The app under uvicorn in a thread, on its own event loop; yields the base URL."""
    # Throttling sign-ins is tested elsewhere; here hundreds of generated wrong passwords must not turn into 429s.
    # No embedded worker: generated push subscriptions must not lead to deliveries leaving the machine.
    fuzz_settings = msgspec.structs.replace(
        settings, login_max_failures_per_account=10**9, login_max_failures_per_address=10**9, embedded_worker=False
    )
    app = create_app(fuzz_settings)
    sock = _free_socket()
    # loop="asyncio": "auto" would set uvloop's policy for the whole test process
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on", loop="asyncio"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the fuzz server did not start")
        time.sleep(0.02)
    yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    server.should_exit = True
    thread.join(timeout=15)
    sock.close()


@pytest.fixture
async def users(settings: Settings) -> None:
    """A rep, and a colleague in the same org whose records the rep must not see."""
    db = Database(settings)
    try:
        async with db.sessionmaker() as session:
            for email in (REP_EMAIL, COLLEAGUE_EMAIL):
                spec = UserSpec(org="Fuzz", email=email, password=PASSWORD, roles=("rep",), team="East", locale="en")
                await create_user(session, spec)
            await session.commit()
    finally:
        await db.dispose()


def _post(client: httpx.Client, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post(path, json=body, headers={"Idempotency-Key": str(uuid.uuid4())})
    assert response.status_code == 201, response.text
    return response.json()


def _seed_records(client: httpx.Client) -> dict[str, list[str]]:
    """Accounts, contacts, opportunities and customer activities, created through the API as the signed-in user."""
    ids: dict[str, list[str]] = {"account": [], "contact": [], "opportunity": []}
    soon = (rep_today() + timedelta(days=30)).isoformat()
    for n, name in enumerate(("上海明珠制造", "Pudong Logistics", "West Lake Foods")):
        account = _post(
            client, "/api/v1/accounts", {"name": name, "city": "Shanghai", "lat": 31.2 + n / 100, "lon": 121.47}
        )
        ids["account"].append(account["id"])
        contact = {"name": f"Contact {n}", "email": f"c{n}@example.com", "is_decision_maker": n == 0}
        ids["contact"].append(_post(client, f"/api/v1/accounts/{account['id']}/contacts", contact)["id"])
        _post(
            client,
            "/api/v1/activities",
            {
                "account_id": account["id"], "kind": "call", "direction": "inbound", "summary": "Asked for a quote",
                "occurred_at": (datetime.now(UTC) - timedelta(days=2)).isoformat().replace("+00:00", "Z"),
            },
        )  # fmt: skip
        for stage, amount in (("lead", 0), ("proposal", 120_000_00)):
            body = {
                "account_id": account["id"], "name": f"{name} {stage}", "stage": stage, "amount": amount,
                "close_date": soon, "competitors": ["Globex"], "next_step": "Call back",
            }  # fmt: skip
            ids["opportunity"].append(_post(client, "/api/v1/opportunities", body)["id"])
    return ids


def _sign_in(client: httpx.Client, email: str) -> str:
    response = client.post("/api/v1/auth/token", json={"email": email, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


@pytest.fixture
def seeded(live_server: str, users: None, caplog: pytest.LogCaptureFixture) -> Seeded:
    with caplog.at_level(logging.WARNING, logger="httpx"), httpx.Client(base_url=live_server, timeout=30) as client:
        client.headers["Authorization"] = f"Bearer {_sign_in(client, COLLEAGUE_EMAIL)}"
        out_of_reach = _seed_records(client)
        client.headers["Authorization"] = f"Bearer {_sign_in(client, REP_EMAIL)}"
        mine = _seed_records(client)
        for kind, path in (("account", "/api/v1/accounts/"), ("opportunity", "/api/v1/opportunities/")):
            assert client.get(path + mine[kind][0]).status_code == 200
            assert client.get(path + out_of_reach[kind][0]).status_code == 404, "a colleague's records are out of reach"
        return Seeded(token=client.headers["Authorization"].removeprefix("Bearer "), ids=mine)


Context = schemathesis.HookContext
# Path, query and body fields that name a record, and the kind of seeded record that can stand in for them.
ID_FIELDS = {"account_id": "account", "contact_id": "contact", "opportunity_id": "opportunity"}


def _swap(value: dict[str, Any] | None, seeded: Seeded, names: dict[str, str]) -> st.SearchStrategy[Any]:
    """The generated value, or a copy of it whose id fields name the rep's own records."""
    if not isinstance(value, dict):
        return st.just(value)
    choices = [value]
    for key, kind in names.items():
        if isinstance(value.get(key), str):
            choices += [{**value, key: real} for real in seeded.ids[kind]]
    return st.sampled_from(choices)


@pytest.fixture
def api_schema(request: pytest.FixtureRequest, live_server: str, seeded: Seeded) -> schemathesis.BaseSchema:
    """The live OpenAPI document, authenticated as the rep, with a bounded and repeatable example budget."""
    if not hasattr(request.node, "_nodeid"):
        # schemathesis 4.32's from_fixture reads and rewrites Node._nodeid, which pytest 9.2 no longer has.
        request.node._nodeid = request.node.nodeid
    loaded = schemathesis.openapi.from_url(f"{live_server}/schema/openapi.json", config=schemathesis.Config(seed=SEED))
    loaded.config.update(headers={"Authorization": f"Bearer {seeded.token}"}, request_timeout=30)
    loaded.config.generation.update(max_examples=MAX_EXAMPLES, deterministic=True, database="none")

    @loaded.hook
    def flatmap_path_parameters(ctx: Context, path_parameters: dict[str, Any] | None) -> st.SearchStrategy[Any]:
        return _swap(path_parameters, seeded, ID_FIELDS)

    @loaded.hook
    def flatmap_query(ctx: Context, query: dict[str, Any] | None) -> st.SearchStrategy[Any]:
        return _swap(query, seeded, ID_FIELDS)

    @loaded.hook
    def flatmap_body(ctx: Context, body: Any) -> st.SearchStrategy[Any]:
        return _swap(body, seeded, ID_FIELDS)

    @loaded.hook
    def flatmap_headers(ctx: Context, headers: dict[str, Any] | None) -> st.SearchStrategy[Any]:
        # Every seeded record starts at version 1: offer its ETag so that some PATCHes get past If-Match.
        if isinstance(headers, dict) and isinstance(headers.get("If-Match"), str):
            return st.sampled_from([headers, {**headers, "If-Match": '"1"'}])
        return st.just(headers)

    return loaded


schema = schemathesis.pytest.from_fixture("api_schema").exclude(method=LOGOUT[0], path=LOGOUT[1])


@schema.parametrize()
def test_every_operation_answers_as_documented(case: schemathesis.Case) -> None:
    case.call_and_validate(checks=CHECKS)


def test_sign_out_answers_as_documented(live_server: str, users: None) -> None:
    """Sign-out, left out of the fuzzing above, checked once with a sign-in of its own."""
    with httpx.Client(base_url=live_server, timeout=30) as client:
        token = _sign_in(client, REP_EMAIL)
    operation = schemathesis.openapi.from_url(f"{live_server}/schema/openapi.json")[LOGOUT[1]][LOGOUT[0]]
    case = operation.Case(headers={"Authorization": f"Bearer {token}", "Idempotency-Key": str(uuid.uuid4())})
    response = case.call_and_validate(checks=CHECKS)
    assert response.status_code == 204
    assert case.call(headers={"Idempotency-Key": str(uuid.uuid4())}).status_code == 401
