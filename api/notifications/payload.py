"""The decrypted push payload (CONTRACT "Push payload"), kept within 3 kB.

``{type, title, body, url, tag, lang, actions: [{action, title}], action_token?, data: {...}}``. When it is
too large, ``data`` goes first, then the body is shortened, then the title; ``type``, ``url`` and
``action_token`` are never dropped (their lengths are capped where notify() accepts them, so it always fits).
"""

from __future__ import annotations

from typing import Any

import msgspec

MAX_PAYLOAD_BYTES = 3000  # "at most 3 kB", read strictly (3,000, not 3,072)
# What a retry after a 413 keeps: level 1 drops data, level 2 also cuts the body to a short preview.
SHRINK_LEVELS = 2
SHORT_BODY_CHARS = 120
ELLIPSIS = "…"


class PayloadAction(msgspec.Struct):
    action: str
    title: str


class PushPayload(msgspec.Struct, kw_only=True, omit_defaults=True):
    """The JSON a service worker receives; field order as in the contract, only ``action_token`` optional."""

    type: str
    title: str
    body: str
    url: str
    tag: str
    lang: str
    actions: list[PayloadAction]
    action_token: str | None = None
    data: dict[str, Any]


_encoder = msgspec.json.Encoder()


def _cut(text: str, chars: int) -> str:
    return text if len(text) <= chars else text[: max(chars - 1, 0)] + ELLIPSIS


def _fit_text(payload: PushPayload, field: str, limit: int) -> bytes | None:
    """Shorten one text field by as little as needed (binary search on characters); None if even empty is too big."""
    full: str = getattr(payload, field)
    setattr(payload, field, "")
    if len(_encoder.encode(payload)) > limit:
        setattr(payload, field, full)
        return None
    low, high = 0, len(full)
    while low < high:  # the largest prefix length that still fits
        middle = (low + high + 1) // 2
        setattr(payload, field, _cut(full, middle))
        if len(_encoder.encode(payload)) <= limit:
            low = middle
        else:
            high = middle - 1
    setattr(payload, field, _cut(full, low))
    return _encoder.encode(payload)


def encode_payload(payload: PushPayload, *, shrink: int = 0, limit: int = MAX_PAYLOAD_BYTES) -> bytes:
    """The payload as JSON bytes of at most ``limit``, cut down further for ``shrink`` > 0 (after a 413)."""
    payload = msgspec.structs.replace(payload, actions=list(payload.actions), data=dict(payload.data))
    if shrink >= 1:
        payload.data = {}
    if shrink >= 2:
        payload.body = _cut(payload.body, SHORT_BODY_CHARS)
    encoded = _encoder.encode(payload)
    if len(encoded) <= limit:
        return encoded
    if payload.data:
        payload.data = {}
        encoded = _encoder.encode(payload)
        if len(encoded) <= limit:
            return encoded
    for field in ("body", "title"):
        fitted = _fit_text(payload, field, limit)
        if fitted is not None:
            return fitted
        setattr(payload, field, "")
    for action in payload.actions:  # only reached when type, url, tag or the token are pathologically long
        action.title = _cut(action.title, 20)
    encoded = _encoder.encode(payload)
    if len(encoded) > limit:
        raise ValueError("push payload cannot fit: type, url, tag or action_token are too long")
    return encoded
