"""The HTTP client of Web Push deliveries: aiohttp, with a few keep-alive connections per push service.

One client per worker process keeps a few connections open to each push service (aiohttp's connection pool), so
a fan-out pays no TCP or TLS handshake per message. Requests go to the address the endpoint policy checked
(``Target.url`` has it in place of the name); the name is kept for the Host header and, over https, for TLS (SNI
and certificate checking, through aiohttp's ``server_hostname``). The connector's resolver refuses every name, so
nothing is looked up at send time (aiohttp connects to an IP address without asking its resolver).

Sends to one push service take turns, a few at a time and in order of arrival; the time limit of a request counts
from its turn (connecting, sending, the answer), not its wait for one.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
from collections.abc import Mapping
from dataclasses import dataclass

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from yarl import URL

from api.notifications.endpoints import Target

CONNECTIONS_PER_ORIGIN = 4  # answers come back in about a millisecond on loopback; more only add contention
IDLE_S = 30.0  # push services close idle connections; one idle longer than this is not reused
MAX_ANSWER_BYTES = 64 * 1024  # push services answer in a few hundred bytes; more is not read
TIMEOUT_S = 10.0
_NO_AUTO_HEADERS = ("Accept", "Accept-Encoding", "User-Agent")
# A connection that broke under a request before its answer (a connection that never opened is not in these).
_BROKEN = (aiohttp.ServerDisconnectedError, aiohttp.ClientConnectionResetError, aiohttp.ClientOSError)


class PushNetworkError(Exception):
    """No usable HTTP answer: refused, reset, timed out, or broken; the name of the cause is the message."""


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]  # names in lower case; repeated headers joined with ", "
    body: bytes


class _NoLookup(AbstractResolver):
    """The connector's resolver: targets carry the address already checked, so a name is never looked up."""

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        raise OSError(f"not an address checked by the endpoint policy: {host!r}")

    async def close(self) -> None:
        pass


@dataclass(frozen=True)
class _Route:
    url: URL
    server_name: str | None
    turns: asyncio.Semaphore


class PushClient:
    """Keep-alive connections per push service origin, for one event loop; closed by its owner (``aclose``)."""

    def __init__(self, connections_per_origin: int | None = None, timeout_s: float = TIMEOUT_S) -> None:
        self.connections_per_origin = connections_per_origin or CONNECTIONS_PER_ORIGIN
        self.timeout_s = timeout_s
        self._session: aiohttp.ClientSession | None = None
        self._routes: dict[tuple[str, str | None], _Route] = {}
        self._turns: dict[tuple[str, str, int, str | None], asyncio.Semaphore] = {}
        self._tls: ssl.SSLContext | None = None
        self._closed = False

    async def post(self, target: Target, body: bytes, headers: Mapping[str, str]) -> Answer:
        """POST ``body`` to the target; the answer, or PushNetworkError when none came.

        The time limit covers connecting, sending and the answer, not the wait for a free connection: when many
        sends share a push service, their turn comes in order, and each turn is itself limited. A connection that
        breaks before any answer came (mostly a kept-alive one the service closed as the request went out) gets
        one fresh try. ValueError for a line break or control character in a header.
        """
        route = self._route(target)
        session = self._open()
        async with route.turns:
            for fresh_try in (True, False):
                try:
                    async with session.post(
                        route.url, data=body, headers=headers, server_hostname=route.server_name
                    ) as response:
                        return Answer(response.status, _headers(response), await _read(response))
                except _BROKEN as exc:
                    if fresh_try and not isinstance(exc, aiohttp.ClientConnectorError):
                        continue
                    raise PushNetworkError(_cause(exc)) from exc
                except (aiohttp.ClientError, OSError, TimeoutError) as exc:
                    raise PushNetworkError(_cause(exc)) from exc
        raise AssertionError("unreachable")

    def _route(self, target: Target) -> _Route:
        """Where a target's requests go and whose turns they take, worked out once per URL and TLS name."""
        route_key = (target.url, target.extensions.get("sni_hostname"))
        route = self._routes.get(route_key)
        if route is None:
            url = URL(target.url)
            server_name = route_key[1] if url.scheme == "https" else None
            key = (url.scheme, url.host or "", url.port or 0, server_name)
            turns = self._turns.get(key)
            if turns is None:
                turns = self._turns[key] = asyncio.Semaphore(self.connections_per_origin)  # FIFO
            if len(self._routes) > 100_000:
                self._routes.clear()
            route = self._routes[route_key] = _Route(url, server_name, turns)
        return route

    def _open(self) -> aiohttp.ClientSession:
        if self._session is None:
            if self._closed:
                raise PushNetworkError("ClientClosed")
            if self._tls is None:
                self._tls = ssl.create_default_context()
            connector = aiohttp.TCPConnector(
                limit=0,  # no limit across push services; per service, limit_per_host and the turns
                limit_per_host=self.connections_per_origin,
                keepalive_timeout=IDLE_S,
                ssl=self._tls,
                resolver=_NoLookup(),
            )
            self._session = aiohttp.ClientSession(
                connector=connector,
                timeout=aiohttp.ClientTimeout(total=self.timeout_s),
                cookie_jar=aiohttp.DummyCookieJar(),
                skip_auto_headers=_NO_AUTO_HEADERS,
                auto_decompress=False,
                raise_for_status=False,
                trust_env=False,
            )
        return self._session

    async def aclose(self) -> None:
        """Close the connections (the owner calls this at worker shutdown, once its jobs have ended)."""
        self._closed = True
        if self._session is not None:
            session, self._session = self._session, None
            await session.close()


def _headers(response: aiohttp.ClientResponse) -> dict[str, str]:
    headers: dict[str, str] = {}
    for name, value in response.headers.items():
        key = name.lower()
        headers[key] = f"{headers[key]}, {value}" if key in headers else value
    return headers


async def _read(response: aiohttp.ClientResponse) -> bytes:
    """The body, at most MAX_ANSWER_BYTES of it (aiohttp buffers at most ``read_bufsize`` of an answer); a connection
    whose answer did not arrive whole is closed, not reused."""
    length = response.content_length
    if length is not None and length <= MAX_ANSWER_BYTES:
        return await response.read()
    body = bytearray()
    while len(body) <= MAX_ANSWER_BYTES:
        chunk = await response.content.read(MAX_ANSWER_BYTES + 1 - len(body))
        if not chunk:
            return bytes(body)
        body += chunk
    response.close()  # more than allowed: not read further, and the connection is not reused
    return bytes(body[:MAX_ANSWER_BYTES])


def _cause(exc: BaseException) -> str:
    """The name of what went wrong, as attempts record it."""
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        return "ConnectTimeout"
    if isinstance(exc, TimeoutError):
        return "ReadTimeout"
    if isinstance(exc, aiohttp.ServerDisconnectedError | aiohttp.ClientPayloadError | aiohttp.ClientResponseError):
        return "RemoteProtocolError"  # closed before an answer, an answer cut short, or one that is not HTTP/1.1
    if isinstance(exc, aiohttp.ClientSSLError | ssl.SSLError):
        return "SSLError"
    if isinstance(exc, aiohttp.ClientConnectorError):
        return exc.os_error.__class__.__name__  # ConnectionRefusedError, ...
    if isinstance(exc, OSError) and type(exc).__module__ != "builtins":  # aiohttp's: named after the OS error
        if exc.errno:
            return OSError(exc.errno, "").__class__.__name__  # ConnectionResetError, BrokenPipeError, ...
        return next(c.__name__ for c in type(exc).__mro__ if c.__module__ == "builtins")
    return exc.__class__.__name__
