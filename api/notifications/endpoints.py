"""Which push endpoints the server may fetch (no SSRF), checked when subscribing and again before each send.

An endpoint must be https (port 443) on a host of ``push_allowed_hosts`` or a subdomain of one, and every
address its name resolves to must be public. An entry written as an origin (``http://127.0.0.1:8766``,
``https://push.internal:8443``) allows exactly that origin, over its scheme, whatever its address: that is how a
local stand-in or an in-house push service is allowed explicitly. An entry that is an IP address allows
exactly that address. The send then goes to the very address that was checked (the name is not resolved a
second time), so DNS rebinding between check and connect cannot redirect it.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import re
import socket
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit, urlunsplit

from api.lib.errors import AppError, field_error
from api.lib.i18n import Text, t

log = logging.getLogger("fieldloop.push")
Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Awaitable[list[str]]]
DEFAULT_PORTS = {"https": 443, "http": 80}
DNS_CACHE_S = 30.0

MESSAGES: dict[str, Text] = {
    "invalid_url": t("The endpoint is not a valid URL.", "推送地址不是有效的 URL。"),
    "insecure_scheme": t("The endpoint must use https.", "推送地址必须使用 https。"),
    "host_not_allowed": t("This push service is not allowed.", "不允许使用该推送服务。"),
    "private_address": t("The endpoint resolves to a private or reserved address.", "推送地址解析到了私有或保留地址。"),
    "unresolvable": t("The endpoint's host name cannot be resolved.", "无法解析推送地址的主机名。"),
}


class EndpointRefused(Exception):
    """An endpoint the server will not fetch; ``code`` is the field error code."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code

    def as_field_error(self, field: str) -> AppError:
        return field_error(field, self.code, MESSAGES[self.code])


@dataclass(frozen=True)
class Target:
    """Where to send: the URL with the checked address in place of the name, and what keeps TLS and Host right."""

    url: str
    origin: str
    headers: dict[str, str]
    extensions: dict[str, str]


@dataclass(frozen=True)
class _Origin:
    scheme: str
    host: str
    port: int


def _ip(host: str) -> Address | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def _public(address: Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


_HOST_NAME = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$")


def _normalise_host(host: str) -> str:
    """Lower case, no trailing dot, IDNA for non-ASCII names; ValueError for anything that is not a host name."""
    host = host.strip().rstrip(".").lower()
    if _ip(host) is not None:
        return host
    if not host.isascii():
        host = host.encode("idna").decode("ascii")
    if len(host) > 253 or not _HOST_NAME.match(host):
        raise ValueError(f"not a host name: {host!r}")
    return host


def _parse_origin(text: str) -> _Origin:
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname or parts.username or parts.password:
        raise ValueError(f"not an http(s) origin: {text!r}")
    return _Origin(scheme, _normalise_host(parts.hostname), parts.port or DEFAULT_PORTS[scheme])


async def system_resolver(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (the event loop's getaddrinfo)."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


class EndpointPolicy:
    """Parses ``push_allowed_hosts`` once and checks endpoints against it."""

    def __init__(self, allowed_hosts: Sequence[str], resolver: Resolver | None = None) -> None:
        self.origins: set[_Origin] = set()
        self.hosts: set[str] = set()
        for entry in allowed_hosts:
            entry = entry.strip()
            try:
                if not entry:
                    continue
                if "://" in entry:
                    self.origins.add(_parse_origin(entry))
                elif ":" in entry and _ip(entry) is None:  # host:port, no scheme: that https origin exactly
                    self.origins.add(_parse_origin(f"https://{entry}"))
                else:
                    self.hosts.add(_normalise_host(entry))
            except (ValueError, UnicodeError):
                log.warning("FIELDLOOP_PUSH_ALLOWED_HOSTS: ignoring %r, neither a host name nor an origin", entry)
        self.resolver = resolver
        self._dns: dict[tuple[str, int], tuple[float, list[str]]] = {}
        # Checked targets, kept as long as the DNS answer they rest on: a fan-out checks each endpoint once.
        self._targets: dict[str, tuple[float, Target]] = {}

    async def check(self, url: str, *, field: str = "endpoint") -> Target:
        """The target of an endpoint, or a 422 naming ``field``."""
        try:
            return await self.target(url)
        except EndpointRefused as refused:
            raise refused.as_field_error(field) from None

    async def target(self, url: str) -> Target:
        """The target of an endpoint, or EndpointRefused."""
        cached = self._targets.get(url)
        if cached is not None and cached[0] > time.monotonic():
            return cached[1]
        target, until = await self._check(url)
        if until > time.monotonic():
            if len(self._targets) > 10_000:
                self._targets.clear()
            self._targets[url] = (until, target)
        return target

    async def _check(self, url: str) -> tuple[Target, float]:
        """The target, and until when the check holds (as long as the DNS answer it rests on)."""
        try:
            parts = urlsplit(url)
            scheme = parts.scheme.lower()
            host = _normalise_host(parts.hostname or "")
            port = parts.port or DEFAULT_PORTS.get(scheme, 0)
        except (ValueError, UnicodeError):
            raise EndpointRefused("invalid_url") from None
        if scheme not in DEFAULT_PORTS or not host or parts.username is not None or parts.password is not None:
            raise EndpointRefused("invalid_url")
        explicit = self._allowed(_Origin(scheme, host, port))
        literal = _ip(host)
        until = time.monotonic() + DNS_CACHE_S
        addresses = [literal] if literal is not None else [_ip(a) for a in await self._resolve(host, port)]
        if literal is None:
            until = self._dns.get((host, port), (0.0, []))[0]
        checked = [a for a in addresses if a is not None]
        if not checked:
            raise EndpointRefused("unresolvable")
        if not explicit and not all(_public(a) for a in checked):
            raise EndpointRefused("private_address")
        return _pinned(parts, scheme, host, port, checked[0]), until

    def _allowed(self, origin: _Origin) -> bool:
        """Whether the origin is allowed; True when it is allowed explicitly (any address), False when by name."""
        if origin in self.origins:
            return True
        if origin.scheme == "https" and origin.port == 443:
            if _ip(origin.host) is not None:
                if origin.host in self.hosts:
                    return True
            elif any(origin.host == h or origin.host.endswith("." + h) for h in self.hosts):
                return False
        raise EndpointRefused("insecure_scheme" if origin.scheme != "https" else "host_not_allowed")

    async def _resolve(self, host: str, port: int) -> list[str]:
        key = (host, port)
        cached = self._dns.get(key)
        if cached and cached[0] > time.monotonic():
            return cached[1]
        try:
            addresses = await (self.resolver or system_resolver)(host, port)
        except (OSError, UnicodeError, ValueError):
            raise EndpointRefused("unresolvable") from None
        if len(self._dns) > 10_000:
            self._dns.clear()
        self._dns[key] = (time.monotonic() + DNS_CACHE_S, addresses)
        return addresses


_policies: dict[tuple[str, ...], EndpointPolicy] = {}


def policy_for(allowed_hosts: Sequence[str]) -> EndpointPolicy:
    """One policy (and DNS cache) per process and allow-list."""
    key = tuple(allowed_hosts)
    policy = _policies.get(key)
    if policy is None:
        policy = _policies[key] = EndpointPolicy(key)
    return policy


def _pinned(parts: SplitResult, scheme: str, host: str, port: int, address: Address) -> Target:
    default = port == DEFAULT_PORTS[scheme]
    netloc_host = host if _ip(host) is None else (f"[{host}]" if ":" in host else host)
    host_header = netloc_host if default else f"{netloc_host}:{port}"
    ip_text = f"[{address}]" if address.version == 6 else str(address)
    netloc = ip_text if default else f"{ip_text}:{port}"
    path, query = parts.path or "/", parts.query
    extensions = {"sni_hostname": host} if scheme == "https" and _ip(host) is None else {}
    return Target(
        url=urlunsplit((scheme, netloc, path, query, "")),
        origin=f"{scheme}://{host_header}",
        headers={"Host": host_header},
        extensions=extensions,
    )
