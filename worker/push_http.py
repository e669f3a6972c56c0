"""The HTTP client of Web Push deliveries: HTTP/1.1 over a few keep-alive connections per push service.

A fan-out sends thousands of small POSTs to a handful of push services, and at that rate the client's own work
per request decides how fast a worker goes. aiohttp spent about 0.2 ms of CPU per request against the push
service stand-in, as much as the encryption itself; this client spends about 0.1 ms (tests/benchmarks/
README_push.md). It does only what a push needs: it writes one request head (the headers are checked first), and
httptools (llhttp, the parser of Node.js) reads the answer: fixed-length, chunked or ended by the connection.

One client per worker process keeps a few connections open to each push service, so a fan-out pays no TCP or TLS
handshake per message. Requests go to the address the endpoint policy checked (``Target.url`` has it in place of
the name); the name is kept for the Host header and, over https, for TLS (SNI and certificate checking). A URL
whose host is not an IP address is refused: nothing is looked up at send time.

Sends to one push service take turns, a few at a time and in order of arrival; the time limit of a request counts
from its turn (connecting, sending, the answer), not its wait for one.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import ssl
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httptools

from api.notifications.endpoints import Target

CONNECTIONS_PER_ORIGIN = 4  # answers come back in about a millisecond on loopback; more only add contention
IDLE_S = 30.0  # push services close idle connections; one idle longer than this is not reused
MAX_ANSWER_BYTES = 64 * 1024  # push services answer in a few hundred bytes; more is not read
TIMEOUT_S = 10.0
_BAD_HEADER_CHARACTERS = frozenset(chr(c) for c in (*range(0, 32), 127)) - {"\t"}


class PushNetworkError(Exception):
    """No usable HTTP answer: refused, reset, timed out, or broken; the name of the cause is the message."""


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]  # names in lower case; repeated headers joined with ", "
    body: bytes


class _Broken(Exception):
    """The connection ended before any byte of the answer came: the request may be sent again on a fresh one."""


class _Connection(asyncio.Protocol):
    """One HTTP/1.1 connection carrying one request at a time; its answer is read by httptools."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.closed = False
        self.idle_since = time.monotonic()
        self._parser = httptools.HttpResponseParser(self)
        self._answer: asyncio.Future[Answer] | None = None
        self._headers: dict[str, str] = {}
        self._body = bytearray()
        self._received = False  # a byte of the current answer came
        self._complete = False
        self._until_close = False  # the body ends with the connection (no length, not chunked)
        self._reusable = True

    # asyncio.Protocol
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        if self._answer is None or self._answer.done():
            self._close()  # bytes nobody asked for: this connection can't be trusted with another request
            return
        self._received = True
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserError:
            self._fail(PushNetworkError("RemoteProtocolError"))

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if self._answer is None or self._answer.done():
            return
        if self._until_close and not self._complete:
            self._finish()  # the answer's body ended with the connection, as its head said it would
        elif not self._received:
            self._fail(_Broken(exc.__class__.__name__ if exc else "ServerDisconnected"))
        else:
            self._fail(PushNetworkError("RemoteProtocolError"))  # cut short

    # httptools callbacks
    def on_header(self, name: bytes, value: bytes) -> None:
        key, text = name.decode("latin-1").lower(), value.decode("latin-1")
        self._headers[key] = f"{self._headers[key]}, {text}" if key in self._headers else text

    def on_headers_complete(self) -> None:
        status = self._parser.get_status_code()
        framed = "content-length" in self._headers or "chunked" in self._headers.get("transfer-encoding", "")
        self._until_close = not framed and not (100 <= status < 200 or status in (204, 304))
        self._reusable = self._parser.should_keep_alive() and not self._until_close

    def on_body(self, chunk: bytes) -> None:
        self._body += chunk
        if len(self._body) > MAX_ANSWER_BYTES:
            del self._body[MAX_ANSWER_BYTES:]
            self._reusable = False  # not read further, so never reused
            self._finish()
            self._close()

    def on_message_complete(self) -> None:
        self._complete = True
        self._finish()

    # the client's side
    async def send(self, request: bytes) -> Answer:
        assert self.transport is not None
        self._answer = asyncio.get_running_loop().create_future()
        self._headers, self._body = {}, bytearray()
        self._received = self._complete = self._until_close = False
        self._reusable = True
        self.transport.write(request)
        try:
            return await self._answer
        finally:
            self._answer = None
            if not self._reusable:
                self._close()
            self.idle_since = time.monotonic()

    def usable(self) -> bool:
        transport = self.transport
        return (
            not self.closed
            and transport is not None
            and not transport.is_closing()
            and time.monotonic() - self.idle_since < IDLE_S
        )

    def _finish(self) -> None:
        if self._answer is not None and not self._answer.done():
            self._answer.set_result(Answer(self._parser.get_status_code(), self._headers, bytes(self._body)))

    def _fail(self, exc: Exception) -> None:
        self._reusable = False
        if self._answer is not None and not self._answer.done():
            self._answer.set_exception(exc)
        self._close()

    def _close(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.close()


@dataclass
class _Service:
    """The connections to one push service address (and TLS name), and the turns of the sends waiting for one."""

    host: str
    port: int
    server_name: str | None  # over https: the name for SNI and the certificate
    turns: asyncio.Semaphore
    idle: list[_Connection] = field(default_factory=list)


@dataclass(frozen=True)
class _Route:
    service: _Service
    path: bytes
    host_header: str


class PushClient:
    """Keep-alive connections per push service origin, for one event loop; closed by its owner (``aclose``)."""

    def __init__(self, connections_per_origin: int | None = None, timeout_s: float = TIMEOUT_S) -> None:
        self.connections_per_origin = connections_per_origin or CONNECTIONS_PER_ORIGIN
        self.timeout_s = timeout_s
        self._routes: dict[tuple[str, str | None], _Route] = {}
        self._services: dict[tuple[str, int, str | None], _Service] = {}
        self._open: set[_Connection] = set()
        self._tls: ssl.SSLContext | None = None
        self._closed = False

    async def post(self, target: Target, body: bytes, headers: Mapping[str, str]) -> Answer:
        """POST ``body`` to the target; the answer, or PushNetworkError when none came.

        The time limit covers connecting, sending and the answer, not the wait for a free connection: when many
        sends share a push service, their turn comes in order, and each turn is itself limited. A kept-alive
        connection that breaks before any answer came (mostly one the service closed as the request went out) gets
        one fresh try. ValueError for a line break or control character in a header.
        """
        if self._closed:
            raise PushNetworkError("ClientClosed")
        route = self._route(target)
        request = _request(route, body, headers)
        service = route.service
        async with service.turns:
            connection = self._idle(service)
            for fresh_try in (True, False):
                connecting = connection is None
                try:
                    async with asyncio.timeout(self.timeout_s):
                        if connection is None:
                            connection = await self._connect(service)
                        connecting = False
                        answer = await connection.send(request)
                except _Broken as exc:
                    connection = None
                    if fresh_try:
                        continue
                    raise PushNetworkError("RemoteProtocolError") from exc
                except TimeoutError as exc:
                    if connection is not None:
                        connection._close()
                    raise PushNetworkError("ConnectTimeout" if connecting else "ReadTimeout") from exc
                except ssl.SSLError as exc:
                    raise PushNetworkError("SSLError") from exc
                except OSError as exc:
                    raise PushNetworkError(_os_cause(exc)) from exc
                if connection.usable() and not self._closed:
                    service.idle.append(connection)
                return answer
        raise AssertionError("unreachable")

    def _route(self, target: Target) -> _Route:
        """Where a target's requests go and whose turns they take, worked out once per URL and TLS name."""
        route_key = (target.url, target.extensions.get("sni_hostname"))
        route = self._routes.get(route_key)
        if route is None:
            url = urlsplit(target.url)
            host = url.hostname or ""
            try:
                ipaddress.ip_address(host)
            except ValueError:
                raise PushNetworkError(f"not an address checked by the endpoint policy: {host!r}") from None
            https = url.scheme == "https"
            port = url.port or (443 if https else 80)
            server_name = route_key[1] if https else None
            key = (host, port, server_name)
            service = self._services.get(key)
            if service is None:
                service = self._services[key] = _Service(
                    host, port, server_name, asyncio.Semaphore(self.connections_per_origin)
                )
            if len(self._routes) > 100_000:
                self._routes.clear()
            path = (url.path or "/") + (f"?{url.query}" if url.query else "")
            route = self._routes[route_key] = _Route(service, path.encode("ascii"), url.netloc)
        return route

    def _idle(self, service: _Service) -> _Connection | None:
        """The most recently used connection that is still good, if any; the stale ones are closed."""
        while service.idle:
            connection = service.idle.pop()
            if connection.usable():
                return connection
            connection._close()
            self._open.discard(connection)
        return None

    async def _connect(self, service: _Service) -> _Connection:
        """A new connection to the checked address itself: the socket is made here, so no name is ever resolved."""
        loop = asyncio.get_running_loop()
        family = socket.AF_INET6 if ":" in service.host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            sock.setblocking(False)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            await loop.sock_connect(sock, (service.host, service.port))
            tls = None
            if service.server_name is not None:
                if self._tls is None:
                    self._tls = ssl.create_default_context()
                tls = self._tls
            _, connection = await loop.create_connection(
                _Connection, sock=sock, ssl=tls, server_hostname=service.server_name
            )
        except BaseException:
            sock.close()
            raise
        self._open = {c for c in self._open if not c.closed}
        self._open.add(connection)
        return connection

    async def aclose(self) -> None:
        """Close the connections (the owner calls this at worker shutdown, once its jobs have ended)."""
        self._closed = True
        for connection in self._open:
            connection._close()
        self._open.clear()
        for service in self._services.values():
            service.idle.clear()
        await asyncio.sleep(0)  # let the transports finish closing


def _request(route: _Route, body: bytes, headers: Mapping[str, str]) -> bytes:
    """The request's bytes; ValueError, before anything is sent, for a header that would break the head."""
    lines = [b"POST " + route.path + b" HTTP/1.1"]
    host = None
    for name, value in headers.items():
        if _BAD_HEADER_CHARACTERS.intersection(name) or _BAD_HEADER_CHARACTERS.intersection(value) or ":" in name:
            raise ValueError(f"header {name!r} has a line break or control character")
        lowered = name.lower()
        if lowered == "host":
            host = value
        elif lowered not in ("content-length", "transfer-encoding", "connection"):
            lines.append(f"{name}: {value}".encode("latin-1"))
    lines.insert(1, f"Host: {host or route.host_header}".encode("latin-1"))
    lines.append(b"Content-Length: %d" % len(body))
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


def _os_cause(exc: OSError) -> str:
    """The name of a socket error as attempts record it: ConnectionRefusedError, ConnectionResetError, ..."""
    if type(exc) is OSError and exc.errno:
        return OSError(exc.errno, "").__class__.__name__
    return exc.__class__.__name__
