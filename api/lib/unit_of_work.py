"""The request boundary: one database session per request, committed once, and Idempotency-Key handling.

Services never commit. A mutation's response is held back until its transaction has committed, so a client
never sees success for a write that did not happen; an error response rolls everything back.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import msgspec
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from api.lib import idempotency
from api.lib.auth import TokenSigner, bearer_token
from api.lib.errors import PROBLEM_MEDIA_TYPE, AppError, conflict
from api.lib.i18n import negotiate, t
from api.lib.outbox import has_pending

log = logging.getLogger("fieldloop.uow")
MUTATIONS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
REPLAYED_HEADER = "idempotent-replayed"


class _Captured:
    def __init__(self) -> None:
        self.start: Message | None = None
        self.body = bytearray()

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.start = message
        elif message["type"] == "http.response.body":
            self.body += message.get("body", b"")

    @property
    def status(self) -> int:
        return int(self.start["status"]) if self.start else 500


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return value.decode("latin-1")
    return None


async def _send_whole(send: Send, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
    headers = [(k, v) for k, v in headers if k.lower() != b"content-length"]
    headers.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _send_problem(scope: Scope, send: Send, error: AppError) -> None:
    locale = negotiate(_header(scope, b"accept-language"))
    body = msgspec.json.encode(error.problem(locale))
    headers = [(b"content-type", PROBLEM_MEDIA_TYPE.encode())]
    headers += [(k.lower().encode(), v.encode()) for k, v in error.headers.items()]
    await _send_whole(send, error.status, headers, body)


def too_large(limit: int) -> AppError:
    return AppError(
        413,
        "payload-too-large",
        t("Request too large", "请求内容过大"),
        t("The body may be at most {limit} bytes.", "请求体最多 {limit} 字节。"),
        limit=limit,
    )


class UnitOfWorkMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        sessionmaker: Any,
        signer: TokenSigner,
        max_body_bytes: int,
        after_commit: Callable[[], None] | None = None,
    ) -> None:
        self.app = app
        self.after_commit = after_commit
        self.sessionmaker = sessionmaker
        self.signer = signer
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        if scope["method"] in MUTATIONS:
            session = state["db"] = self.sessionmaker()
            try:
                await self._mutation(scope, receive, send, session)
            finally:
                await session.close()
            return
        # Reads open their session only if a handler asks for one (see api.lib.deps.provide_db).
        state["db_factory"] = self.sessionmaker
        try:
            await self.app(scope, receive, send)
        finally:
            if (session := state.pop("db", None)) is not None:
                await session.close()

    async def _mutation(self, scope: Scope, receive: Receive, send: Send, session: Any) -> None:
        try:
            body = await self._read_body(scope, receive)
            record_id = await self._reserve(scope, body)
        except AppError as error:
            await _send_problem(scope, send, error)
            return
        if isinstance(record_id, idempotency.StoredResponse):
            stored = record_id
            headers = [(k.encode(), v.encode()) for k, v in stored.headers]
            await _send_whole(send, stored.status, [*headers, (REPLAYED_HEADER.encode(), b"true")], stored.body)
            return

        replayed = False

        async def replay_body() -> Message:
            nonlocal replayed
            if replayed:
                return {"type": "http.disconnect"}
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        captured = _Captured()
        try:
            await self.app(scope, replay_body, captured.send)
            if captured.status < 400:
                if record_id is not None:
                    headers = [[k.decode(), v.decode()] for k, v in captured.start["headers"]]  # type: ignore[index]
                    stored = idempotency.StoredResponse(captured.status, headers, bytes(captured.body))
                    await idempotency.complete(session, record_id, stored)
                pending_jobs = has_pending(session)
                await session.commit()
                record_id = None
                if pending_jobs and self.after_commit is not None:
                    self.after_commit()
            else:
                await session.rollback()
        except (IntegrityError, StaleDataError) as exc:
            log.info("commit refused: %s", exc.__class__.__name__)
            await session.rollback()
            await _send_problem(
                scope,
                send,
                conflict(
                    "write-conflict",
                    t("The record changed meanwhile; reload and retry.", "记录已被修改，请刷新后重试。"),
                ),
            )
            return
        finally:
            if record_id is not None:
                await idempotency.release(self.sessionmaker, record_id)
        start = captured.start or {"status": 500, "headers": []}
        await _send_whole(send, start["status"], list(start["headers"]), bytes(captured.body))

    async def _read_body(self, scope: Scope, receive: Receive) -> bytes:
        declared = _header(scope, b"content-length")
        if declared and declared.isdigit() and int(declared) > self.max_body_bytes:
            raise too_large(self.max_body_bytes)
        chunks = bytearray()
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            chunks += message.get("body", b"")
            if len(chunks) > self.max_body_bytes:
                raise too_large(self.max_body_bytes)
            if not message.get("more_body"):
                break
        return bytes(chunks)

    async def _reserve(self, scope: Scope, body: bytes) -> Any:
        key = _header(scope, b"idempotency-key")
        if key is None:
            return None
        idempotency.check_key(key)
        token = bearer_token(_header(scope, b"authorization"))
        ids = self.signer.verify(token) if token else None
        if ids is None:
            return None  # unauthenticated calls (sign-in, notification actions) are not keyed per user
        fp = idempotency.fingerprint(scope["method"], scope["path"], scope.get("query_string", b""), body)
        return await idempotency.reserve(self.sessionmaker, ids[1], key, fp)
