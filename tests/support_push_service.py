"""A Web Push service stand-in on loopback, strict like a browser vendor's push service.

For each ``POST /push/<id>`` it checks the VAPID ``Authorization: vapid t=<jwt>, k=<key>`` header (ES256
signature with ``k``, ``aud`` its own origin, ``exp`` in the future and at most 24 h ahead, ``sub`` present),
the ``TTL``, ``Content-Encoding: aes128gcm``, ``Urgency`` and ``Topic`` headers, then decrypts the body with the
subscriber's private key and auth secret as the browser would (RFC 8291), and records the headers and the
decrypted JSON. It can be told to answer 404/410/413/429/5xx for the next N requests.

It speaks HTTP/1.1 with keep-alive on an event loop of its own (httptools reads the requests), light enough that
a benchmark measures the sender, not the stand-in. Tests run it in a thread (``with PushServiceStandIn() as
service``); the benchmark runs it in a process of its own (``python -m tests.support_push_service``) and drives it
through ``/_control/...``.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import re
import socket
import struct
import sys
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

import httptools
import jwt
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

MAX_BODY = 4096  # what real push services accept
TOPIC = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
URGENCIES = {"very-low", "low", "normal", "high"}


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _hkdf(salt: bytes, ikm: bytes, info: bytes, length: int) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=salt, info=info).derive(ikm)


def decrypt_aes128gcm(body: bytes, private_key: ec.EllipticCurvePrivateKey, auth_secret: bytes) -> bytes:
    """Decrypt a Web Push message (RFC 8291 over RFC 8188 aes128gcm) as the receiving browser does."""
    if len(body) < 21:
        raise ValueError("body shorter than the aes128gcm header")
    salt, record_size, id_length = body[:16], struct.unpack("!L", body[16:20])[0], body[20]
    sender_key, ciphertext = body[21 : 21 + id_length], body[21 + id_length :]
    if id_length != 65 or record_size < 18:
        raise ValueError("bad aes128gcm header")
    if len(ciphertext) > record_size:
        raise ValueError("more than one record: push messages have exactly one")
    sender = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), sender_key)
    receiver = private_key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    shared = private_key.exchange(ec.ECDH(), sender)
    ikm = _hkdf(auth_secret, shared, b"WebPush: info\x00" + receiver + sender_key, 32)
    key = _hkdf(salt, ikm, b"Content-Encoding: aes128gcm\x00", 16)
    nonce = _hkdf(salt, ikm, b"Content-Encoding: nonce\x00", 12)
    padded = AESGCM(key).decrypt(nonce, ciphertext, None)
    end = len(padded.rstrip(b"\x00"))
    if end == 0 or padded[end - 1] != 2:  # the last (only) record ends with delimiter 0x02, then zero padding
        raise ValueError("bad record delimiter")
    return padded[: end - 1]


@dataclass
class Subscriber:
    """A browser's side of a subscription: the keys the server encrypts to, and the private key to decrypt."""

    id: str
    endpoint: str
    private_key: ec.EllipticCurvePrivateKey
    auth_secret: bytes
    application_server_key: str | None = None

    @property
    def p256dh(self) -> str:
        return b64url(
            self.private_key.public_key().public_bytes(
                serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
            )
        )

    @property
    def auth(self) -> str:
        return b64url(self.auth_secret)

    def control_spec(self) -> dict[str, str]:
        """How ``POST /_control/subscribers`` registers it with a stand-in running in another process."""
        scalar = self.private_key.private_numbers().private_value.to_bytes(32, "big")
        return {"id": self.id, "endpoint": self.endpoint, "private_key": b64url(scalar), "auth": self.auth}

    def to_json(self) -> dict[str, Any]:
        """What ``PushSubscription.toJSON()`` gives in the browser."""
        return {"endpoint": self.endpoint, "expirationTime": None, "keys": {"p256dh": self.p256dh, "auth": self.auth}}


def make_subscriber(origin: str, application_server_key: str | None = None) -> Subscriber:
    """Fresh subscriber keys and auth secret for an endpoint on the stand-in at ``origin``."""
    subscriber_id = uuid.uuid4().hex
    return Subscriber(
        id=subscriber_id,
        endpoint=f"{origin}/push/{subscriber_id}",
        private_key=ec.generate_private_key(ec.SECP256R1()),
        auth_secret=uuid.uuid4().bytes,
        application_server_key=application_server_key,
    )


@dataclass
class Received:
    subscriber_id: str
    headers: dict[str, str]
    payload: dict[str, Any]
    claims: dict[str, Any]
    body_bytes: int
    at: float


@dataclass
class Failure:
    status: int
    retry_after: str | None = None


@dataclass
class _State:
    subscribers: dict[str, Subscriber] = field(default_factory=dict)
    gone: set[str] = field(default_factory=set)
    failures: deque[Failure] = field(default_factory=deque)
    messages: list[Received] = field(default_factory=list)
    rejections: list[str] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    max_body: int = MAX_BODY
    lock: threading.Lock = field(default_factory=threading.Lock)


@dataclass(frozen=True)
class _Reply:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


class _Connection(asyncio.Protocol):
    """One client connection: HTTP/1.1 requests read by httptools, answered in order, kept alive."""

    def __init__(self, service: PushServiceStandIn) -> None:
        self.service = service
        self.transport: asyncio.Transport | None = None
        self.parser = httptools.HttpRequestParser(self)
        self.url = b""
        self.headers: dict[str, str] = {}
        self.body = bytearray()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def data_received(self, data: bytes) -> None:
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError:
            self._write(_Reply(400, b"not HTTP/1.1"), keep_alive=False)

    def on_message_begin(self) -> None:
        self.url, self.headers, self.body = b"", {}, bytearray()

    def on_url(self, url: bytes) -> None:
        self.url += url

    def on_header(self, name: bytes, value: bytes) -> None:
        self.headers[name.decode("latin-1").lower()] = value.decode("latin-1")

    def on_body(self, body: bytes) -> None:
        self.body += body

    def on_message_complete(self) -> None:
        method = self.parser.get_method().decode()
        try:
            reply = self.service._handle(method, self.url.decode("latin-1"), self.headers, bytes(self.body))
        except Exception as exc:  # a bug in the stand-in: say so rather than hang the client
            reply = _Reply(500, f"{exc.__class__.__name__}: {exc}".encode())
        self._write(reply, keep_alive=self.parser.should_keep_alive())

    def _write(self, reply: _Reply, *, keep_alive: bool) -> None:
        assert self.transport is not None
        head = [f"HTTP/1.1 {reply.status} {HTTPStatus(reply.status).phrase}"]
        head += [f"{name}: {value}" for name, value in reply.headers.items()]
        head.append(f"Content-Length: {len(reply.body)}")
        if not keep_alive:
            head.append("Connection: close")
        self.transport.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + reply.body)
        if not keep_alive:
            self.transport.close()


class PushServiceStandIn:
    """Serves on its own event loop: in a thread of its own (``start()``), or in the calling thread (``serve()``)."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.state = _State()
        self._keys: dict[str, ec.EllipticCurvePublicKey] = {}  # the VAPID keys seen, parsed once each
        # A JWT whose signature checked out, with its claims. Senders use one JWT for many messages (RFC 8292
        # section 2); the same bytes with the same key verify the same way, and expiry is checked on every use.
        self._verified: dict[tuple[str, str], dict[str, Any]] = {}
        self._loop = asyncio.new_event_loop()
        self._server = self._loop.run_until_complete(
            self._loop.create_server(lambda: _Connection(self), host, port, reuse_address=True)
        )
        self._thread: threading.Thread | None = None

    @property
    def origin(self) -> str:
        host, port = self._server.sockets[0].getsockname()[:2]
        return f"http://{host}:{port}"

    def start(self) -> PushServiceStandIn:
        self._thread = threading.Thread(target=self.serve, name="push-stand-in", daemon=True)
        self._thread.start()
        return self

    def serve(self) -> None:
        """Serve until ``stop()``."""
        asyncio.set_event_loop(self._loop)
        self._loop.run_forever()

    def stop(self) -> None:
        def close() -> None:
            self._server.close()
            self._loop.stop()

        self._loop.call_soon_threadsafe(close)
        if self._thread is not None:
            self._thread.join(timeout=10)

    def __enter__(self) -> PushServiceStandIn:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def _handle(self, method: str, url: str, headers: dict[str, str], body: bytes) -> _Reply:
        path, _, query = url.partition("?")
        if method == "POST" and path.startswith("/push/"):
            reply = self._push(path.removeprefix("/push/"), headers, body)
            with self.state.lock:
                self.state.statuses.append(reply.status)
            return reply
        if method == "POST" and path == "/_control/subscribers":
            spec = json.loads(body)
            key = ec.derive_private_key(int.from_bytes(unb64url(spec["private_key"]), "big"), ec.SECP256R1())
            self.add(Subscriber(spec["id"], spec["endpoint"], key, unb64url(spec["auth"])))
            return _Reply(204)
        if method == "GET" and path in ("/_control/stats", "/_control/messages"):
            only = query.removeprefix("subscriber=") if query.startswith("subscriber=") else None
            with self.state.lock:
                messages = [m for m in self.state.messages if only is None or m.subscriber_id == only]
                rejected = len(self.state.rejections)
            answer: object = (
                {"received": len(messages), "rejected": rejected}
                if path == "/_control/stats"
                else [
                    {"subscriber_id": m.subscriber_id, "at": m.at, "type": m.payload.get("type"), "bytes": m.body_bytes}
                    for m in messages
                ]
            )
            return _Reply(200, json.dumps(answer).encode(), {"Content-Type": "application/json"})
        return _Reply(404)

    def _refuse(self, status: int, reason: str) -> _Reply:
        with self.state.lock:
            self.state.rejections.append(reason)
        return _Reply(status, reason.encode())

    def _push(self, subscriber_id: str, headers: dict[str, str], body: bytes) -> _Reply:
        state = self.state
        with state.lock:
            subscriber = state.subscribers.get(subscriber_id)
            gone = subscriber_id in state.gone
            failure = state.failures.popleft() if state.failures else None
        if failure is not None:
            return _Reply(
                failure.status, b"told to fail", {"Retry-After": failure.retry_after} if failure.retry_after else {}
            )
        if gone or subscriber is None:
            return _Reply(410 if gone else 404)
        claims, problem = self._vapid(subscriber, headers.get("authorization") or "")
        if problem:
            return self._refuse(401 if problem.startswith("vapid") else 403, problem)
        ttl = headers.get("ttl")
        if ttl is None or not ttl.isdigit():
            return self._refuse(400, "TTL header missing or not a number")
        if (headers.get("content-encoding") or "").lower() != "aes128gcm":
            return self._refuse(400, "Content-Encoding must be aes128gcm")
        urgency, topic = headers.get("urgency"), headers.get("topic")
        if (urgency is not None and urgency not in URGENCIES) or (topic is not None and not TOPIC.match(topic)):
            return self._refuse(400, "bad Urgency or Topic")
        if len(body) > state.max_body:
            return _Reply(413, b"payload too large")
        try:
            payload = json.loads(decrypt_aes128gcm(body, subscriber.private_key, subscriber.auth_secret))
        except Exception as exc:  # a wrong key (InvalidTag), a bad header, or not JSON
            return self._refuse(400, f"cannot decrypt: {exc.__class__.__name__} {exc}")
        received = Received(subscriber_id, headers, payload, claims, len(body), time.time())
        with state.lock:
            state.messages.append(received)
        return _Reply(201, headers={"Location": f"{self.origin}/message/{uuid.uuid4()}"})

    def _vapid(self, subscriber: Subscriber, authorization: str) -> tuple[dict[str, Any], str | None]:
        """The JWT's claims, checked for every message (signature, ``aud``, ``exp``, ``sub``), or what is wrong."""
        match = re.fullmatch(r"vapid t=([^,\s]+),\s*k=([A-Za-z0-9_-]+)", authorization)
        if not match:
            return {}, "vapid: Authorization must be 'vapid t=<jwt>, k=<key>'"
        token, key = match.groups()
        try:
            public = self._keys.get(key)
            if public is None:
                public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(key))
                self._keys[key] = public
            claims = self._verified.get((token, key))
            if claims is None:
                required = {"require": ["aud", "exp", "sub"]}
                claims = jwt.decode(token, public, algorithms=["ES256"], audience=self.origin, options=required)
                self._verified[(token, key)] = claims
        except (jwt.PyJWTError, ValueError) as exc:
            return {}, f"vapid: {exc}"
        if claims["exp"] <= time.time():
            return claims, "vapid: Signature has expired"
        if claims["exp"] > time.time() + 24 * 3600:
            return claims, "vapid: exp more than 24 hours ahead"
        if not str(claims["sub"]).startswith(("mailto:", "https:")):
            return claims, "vapid: sub must be a mailto: or https: URL"
        if subscriber.application_server_key and key != subscriber.application_server_key:
            return claims, "the key is not the one this subscription was created with"
        return claims, None

    def add(self, subscriber: Subscriber) -> None:
        with self.state.lock:
            self.state.subscribers[subscriber.id] = subscriber

    def new_subscriber(self, application_server_key: str | None = None) -> Subscriber:
        """A browser subscribing: fresh P-256 keys and auth secret, bound to ``application_server_key`` if given."""
        subscriber = make_subscriber(self.origin, application_server_key)
        self.add(subscriber)
        return subscriber

    def unsubscribe(self, subscriber: Subscriber) -> None:
        """The browser dropped the subscription: the service answers 410 Gone from now on."""
        with self.state.lock:
            self.state.gone.add(subscriber.id)

    def fail_next(self, status: int, times: int = 1, retry_after: str | None = None) -> None:
        with self.state.lock:
            self.state.failures.extend(Failure(status, retry_after) for _ in range(times))

    def set_max_body(self, limit: int) -> None:
        """Answer 413 to bodies larger than ``limit`` (a stricter service than the usual 4096 bytes)."""
        self.state.max_body = limit

    @property
    def messages(self) -> list[Received]:
        with self.state.lock:
            return list(self.state.messages)

    @property
    def statuses(self) -> list[int]:
        with self.state.lock:
            return list(self.state.statuses)

    @property
    def rejections(self) -> list[str]:
        with self.state.lock:
            return list(self.state.rejections)

    def messages_for(self, subscriber: Subscriber) -> list[Received]:
        return [m for m in self.messages if m.subscriber_id == subscriber.id]


def main(argv: list[str] | None = None) -> int:
    """Serve until killed, printing the origin first (for the benchmark, which runs it in its own process)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    service = PushServiceStandIn(port=args.port)
    print(service.origin, flush=True)
    service.serve()
    return 0


if __name__ == "__main__":
    sys.exit(main())
