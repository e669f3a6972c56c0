"""The push client against real socket servers that answer with canned bytes: keep-alive and
its limits, the checked address with the name kept for TLS and Host, time limits, and what counts as a network
error."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

import pytest

from api.notifications.endpoints import EndpointPolicy, Target
from tests.support_redis import free_port
from tests.support_tls import self_signed_certificate
from worker import push_http
from worker.push_http import PushClient, PushNetworkError

CREATED = b"HTTP/1.1 201 Created\r\nLocation: /m/1\r\nContent-Length: 0\r\n\r\n"
NAME = "push.example.com"


@dataclass
class Server:
    """Reads each request whole (head and Content-Length body) and writes what ``answer(n)`` gives for the n-th."""

    answer: Callable[[int], bytes]
    close_after: set[int] = field(default_factory=set)  # close the connection after these answers
    delay_s: float = 0.0  # think this long before each answer
    requests: list[bytes] = field(default_factory=list)
    connections: int = 0

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = next(
                    int(line.split(b":")[1])
                    for line in head.split(b"\r\n")
                    if line.lower().startswith(b"content-length")
                )
                self.requests.append(head + await reader.readexactly(length))
                n = len(self.requests)
                if self.delay_s:
                    await asyncio.sleep(self.delay_s)
                writer.write(self.answer(n))
                await writer.drain()
                if n in self.close_after:
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


@pytest.fixture
async def serve() -> AsyncIterator[Callable[..., asyncio.Future]]:
    servers: list[asyncio.base_events.Server] = []

    async def start(server: Server, tls: ssl.SSLContext | None = None) -> int:
        listening = await asyncio.start_server(server.handle, "127.0.0.1", 0, ssl=tls)
        servers.append(listening)
        return listening.sockets[0].getsockname()[1]

    yield start  # type: ignore[misc]
    for listening in servers:
        listening.close()


def _target(port: int) -> Target:
    return Target(f"http://127.0.0.1:{port}/push/abc", f"http://127.0.0.1:{port}", {"Host": f"127.0.0.1:{port}"}, {})


def _body(request: bytes) -> bytes:
    return request.split(b"\r\n\r\n", 1)[1]


HEADERS = {"Host": "push.example", "TTL": "60", "Content-Encoding": "aes128gcm"}


async def test_one_kept_alive_connection_carries_many_requests(serve):
    server = Server(lambda n: CREATED)
    target = _target(await serve(server))
    client = PushClient(connections_per_origin=1)
    try:
        answers = [await client.post(target, b"x" * n, HEADERS) for n in range(1, 6)]
    finally:
        await client.aclose()
    assert [a.status for a in answers] == [201] * 5
    assert answers[0].headers["location"] == "/m/1"
    assert server.connections == 1
    assert [_body(r) for r in server.requests] == [b"x" * n for n in range(1, 6)]
    head = server.requests[0].split(b"\r\n\r\n")[0].decode().lower().split("\r\n")
    assert head[0] == "post /push/abc http/1.1"
    assert {"host: push.example", "ttl: 60", "content-encoding: aes128gcm", "content-length: 1"} <= set(head[1:])


async def test_answer_headers_come_in_lower_case_with_repeats_joined(serve):
    answer = b"HTTP/1.1 429 Too Many\r\nRetry-After: 7\r\nVia: a\r\nvia: b\r\nContent-Length: 4\r\n\r\nslow"
    target = _target(await serve(Server(lambda n: answer)))
    client = PushClient()
    try:
        got = await client.post(target, b"x", HEADERS)
    finally:
        await client.aclose()
    assert (got.status, got.body) == (429, b"slow")
    assert got.headers["retry-after"] == "7" and got.headers["via"] == "a, b"


async def test_a_line_break_in_a_header_is_refused_before_anything_is_sent(serve):
    server = Server(lambda n: CREATED)
    target = _target(await serve(server))
    client = PushClient()
    try:
        with pytest.raises(ValueError):
            await client.post(target, b"x", {**HEADERS, "Topic": "a\r\nX-Injected: 1"})
        assert (await client.post(target, b"y", HEADERS)).status == 201  # and the client goes on
    finally:
        await client.aclose()
    assert [_body(r) for r in server.requests] == [b"y"]
    assert b"X-Injected" not in b"".join(server.requests)


async def test_concurrent_requests_share_at_most_the_allowed_connections(serve):
    server = Server(lambda n: CREATED)
    target = _target(await serve(server))
    client = PushClient(connections_per_origin=3)
    try:
        answers = await asyncio.gather(*(client.post(target, b"x", HEADERS) for _ in range(30)))
    finally:
        await client.aclose()
    assert [a.status for a in answers] == [201] * 30
    assert server.connections == 3  # 30 requests, 3 connections, each opened once


async def test_chunked_and_close_delimited_bodies_are_read(serve):
    chunked = (
        b"HTTP/1.1 400 Bad Request\r\nTransfer-Encoding: chunked\r\n\r\n5;x=1\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"
    )
    closing = b"HTTP/1.1 503 Unavailable\r\nConnection: close\r\n\r\nback soon"
    answers = {1: chunked, 2: CREATED, 3: closing}
    server = Server(lambda n: answers.get(n, CREATED), close_after={3})
    target = _target(await serve(server))
    client = PushClient(connections_per_origin=1)
    try:
        first = await client.post(target, b"a", HEADERS)
        second = await client.post(target, b"b", HEADERS)  # the same connection: the chunked body was read whole
        third = await client.post(target, b"c", HEADERS)  # no length: its body ends with the connection
        fourth = await client.post(target, b"d", HEADERS)  # so the next request opens a new one
    finally:
        await client.aclose()
    assert (first.status, first.body) == (400, b"hello world")
    assert second.status == 201
    assert (third.status, third.body) == (503, b"back soon")
    assert fourth.status == 201
    assert server.connections == 2


async def test_an_answer_longer_than_allowed_is_cut_and_its_connection_not_reused(serve):
    # 2 MB: far more than the client reads, so these answers are not whole when it stops reading.
    size = 2 * 1024 * 1024
    big = {
        1: b"HTTP/1.1 400 Bad Request\r\nContent-Length: %d\r\n\r\n" % size + b"x" * size,
        2: b"HTTP/1.1 400 Bad Request\r\nTransfer-Encoding: chunked\r\n\r\n%x\r\n" % size
        + b"y" * size
        + b"\r\n0\r\n\r\n",
    }
    server = Server(lambda n: big.get(n, CREATED))
    target = _target(await serve(server))
    client = PushClient(connections_per_origin=1)
    try:
        answers = [await client.post(target, b"a", HEADERS) for _ in range(3)]
    finally:
        await client.aclose()
    assert [a.status for a in answers] == [400, 400, 201]
    assert answers[0].body == b"x" * push_http.MAX_ANSWER_BYTES
    assert answers[1].body == b"y" * push_http.MAX_ANSWER_BYTES
    assert server.connections == 3  # neither long answer's connection carried the next request


async def test_a_kept_alive_connection_the_service_closed_is_replaced_once(serve):
    # The service answers the first request and closes the connection without saying so. The second request,
    # sent at once, finds it dead before any answer came (or sees it closed first): either way it goes out on a
    # fresh connection, and once.
    server = Server(lambda n: CREATED, close_after={1})
    target = _target(await serve(server))
    client = PushClient(connections_per_origin=1)
    try:
        await client.post(target, b"a", HEADERS)
        second = await client.post(target, b"b", HEADERS)
    finally:
        await client.aclose()
    assert second.status == 201
    assert len(server.requests) == 2 and server.connections == 2


@pytest.mark.parametrize(
    ("answer", "cause"),
    [
        (b"SMTP ready\r\n\r\n", "RemoteProtocolError"),  # not HTTP
        (b"HTTP/1.1 201 Created\r\nContent-Length: 10\r\n\r\nabc", "RemoteProtocolError"),  # cut short
    ],
)
async def test_an_answer_that_is_not_http_is_a_network_error(serve, answer, cause):
    server = Server(lambda n: answer, close_after={1})
    target = _target(await serve(server))
    client = PushClient()
    try:
        with pytest.raises(PushNetworkError, match=cause):
            await client.post(target, b"a", HEADERS)
    finally:
        await client.aclose()
    assert len(server.requests) == 1  # an answer came, broken: not sent again


async def test_nothing_listening_and_no_answer_in_time_are_network_errors(serve):
    target = _target(free_port())
    client = PushClient(timeout_s=0.2)
    try:
        with pytest.raises(PushNetworkError, match="ConnectionRefusedError"):
            await client.post(target, b"a", HEADERS)
        silent = Server(lambda n: b"")  # reads the request, never answers
        with pytest.raises(PushNetworkError, match="ReadTimeout"):
            await client.post(_target(await serve(silent)), b"a", HEADERS)
    finally:
        await client.aclose()
    assert len(silent.requests) == 1


async def test_a_closed_client_sends_nothing(serve):
    server = Server(lambda n: CREATED)
    target = _target(await serve(server))
    client = PushClient()
    await client.post(target, b"a", HEADERS)
    await client.aclose()
    with pytest.raises(PushNetworkError, match="ClientClosed"):
        await client.post(target, b"b", HEADERS)
    await client.aclose()  # twice is harmless
    assert len(server.requests) == 1


async def test_requests_waiting_for_a_connection_are_served_in_turn(serve):
    # One connection, three senders with three messages each. Were a sender that just got its answer to take
    # the connection again at once, the others would wait until it had no more to send (and time out).
    server = Server(lambda n: CREATED)
    target = _target(await serve(server))
    client = PushClient(connections_per_origin=1)

    async def sender(name: str) -> None:
        for n in (1, 2, 3):
            await client.post(target, f"{name}{n}".encode(), HEADERS)

    try:
        await asyncio.gather(sender("a"), sender("b"), sender("c"))
    finally:
        await client.aclose()
    assert [_body(r).decode() for r in server.requests] == [
        "a1", "b1", "c1", "a2", "b2", "c2", "a3", "b3", "c3",
    ]  # fmt: skip
    assert server.connections == 1


async def test_the_time_limit_counts_a_requests_own_turn_not_its_wait_for_one(serve):
    # One connection, a service that takes 0.2 s per answer, eight sends at once, 1 s allowed per request: the
    # last send waits 1.4 s for its turn, which is no reason to give up on it (its own turn takes 0.2 s).
    server = Server(lambda n: CREATED, delay_s=0.2)
    target = _target(await serve(server))
    client = PushClient(connections_per_origin=1, timeout_s=1.0)
    try:
        answers = await asyncio.gather(*(client.post(target, b"x", HEADERS) for _ in range(8)))
    finally:
        await client.aclose()
    assert [a.status for a in answers] == [201] * 8
    assert len(server.requests) == 8 and server.connections == 1


async def test_the_checked_address_is_reached_with_the_real_name_for_tls_and_host(serve, tmp_path):
    cert_path, key_path = self_signed_certificate(tmp_path, NAME)
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(cert_path, key_path)
    server_names: list[str | None] = []  # the SNI of each TLS handshake
    tls.sni_callback = lambda _tls, name, _context: server_names.append(name)  # type: ignore[assignment,func-returns-value]
    server = Server(lambda n: CREATED)
    port = await serve(server, tls)
    lookups: list[str] = []

    async def dns(host: str, port: int) -> list[str]:
        lookups.append(host)
        return ["127.0.0.1"]  # allowed explicitly below, as an origin

    policy = EndpointPolicy((f"https://{NAME}:{port}",), resolver=dns)
    target = await policy.target(f"https://{NAME}:{port}/push/abc")
    assert target.url == f"https://127.0.0.1:{port}/push/abc"
    client = PushClient()
    client._tls = ssl.create_default_context(cafile=str(cert_path))
    try:
        answers = [await client.post(target, b"x", {**target.headers, "TTL": "60"}) for _ in range(3)]
        other_name = Target(target.url, target.origin, target.headers, {"sni_hostname": "x.test"})
        with pytest.raises(PushNetworkError, match="SSLError"):  # a certificate for another name: refused
            await client.post(other_name, b"y", target.headers)
    finally:
        await client.aclose()
    assert [a.status for a in answers] == [201] * 3
    assert lookups == [NAME]  # by the policy, once; never by the client
    assert server_names == [NAME, "x.test"] and server.connections == 1  # x.test's handshake failed
    assert all(f"\r\nHost: {NAME}:{port}\r\n".encode() in r for r in server.requests)
    assert len(server.requests) == 3


async def test_the_client_never_looks_a_name_up(serve, monkeypatch):
    # A target always carries the checked address; one with a name in its URL is refused, not resolved.
    server = Server(lambda n: CREATED)
    port = await serve(server)
    looked_up: list[object] = []

    async def getaddrinfo(*args, **kwargs):
        looked_up.append(args)
        raise AssertionError("a DNS lookup at send time")

    monkeypatch.setattr(asyncio.get_running_loop(), "getaddrinfo", getaddrinfo)
    named = Target(f"http://localhost:{port}/push/abc", f"http://localhost:{port}", {"Host": "localhost"}, {})
    client = PushClient()
    try:
        with pytest.raises(PushNetworkError):
            await client.post(named, b"a", HEADERS)
        assert (await client.post(_target(port), b"b", HEADERS)).status == 201
    finally:
        await client.aclose()
    assert looked_up == [] and [_body(r) for r in server.requests] == [b"b"]
