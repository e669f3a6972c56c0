from __future__ import annotations

import base64
import binascii
import uuid
from datetime import datetime
from typing import Annotated, Any

import msgspec
from cryptography.hazmat.primitives.asymmetric import ec

from api.lib.errors import FieldProblem, validation_failed
from api.lib.i18n import t
from api.lib.schema import Out, Schema

Endpoint = Annotated[str, msgspec.Meta(min_length=1, max_length=2048)]
KeyText = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]


def b64url_decode(text: str) -> bytes:
    """base64url with or without padding; ValueError for anything else."""
    if any(c in text for c in "+/ \n"):
        raise ValueError("not base64url")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise ValueError("not base64url") from exc


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class SubscriptionKeys(Schema, kw_only=True):
    p256dh: KeyText
    auth: KeyText

    def validated(self) -> tuple[str, str]:
        """Both keys in canonical unpadded base64url, or 422: p256dh a P-256 point (65 bytes), auth 16 bytes."""
        problems: list[FieldProblem] = []
        p256dh = auth = b""
        try:
            p256dh = b64url_decode(self.p256dh)
            if len(p256dh) != 65 or p256dh[0] != 4:
                raise ValueError("not an uncompressed point")
            ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), p256dh)
        except ValueError:
            problems.append(
                FieldProblem(
                    "keys.p256dh",
                    "invalid_key",
                    t(
                        "p256dh must be an uncompressed P-256 public key (65 bytes, base64url).",
                        "p256dh 必须是未压缩的 P-256 公钥（65 字节，base64url 编码）。",
                    ),
                )
            )
        try:
            auth = b64url_decode(self.auth)
            if len(auth) != 16:
                raise ValueError("wrong length")
        except ValueError:
            problems.append(
                FieldProblem(
                    "keys.auth",
                    "invalid_key",
                    t("auth must be 16 bytes, base64url.", "auth 必须是 16 字节的 base64url 编码。"),
                )
            )
        if problems:
            raise validation_failed(problems)
        return b64url(p256dh), b64url(auth)


class SubscriptionCreate(Schema, kw_only=True):
    """The browser's ``PushSubscription.toJSON()``."""

    endpoint: Endpoint
    keys: SubscriptionKeys
    expiration_time: Annotated[float, msgspec.Meta(ge=0)] | None = msgspec.field(default=None, name="expirationTime")


class Subscription(Out, kw_only=True):
    id: uuid.UUID
    endpoint: str
    expires_at: datetime | None
    version: int
    created_at: datetime
    updated_at: datetime


class PublicKey(Out, kw_only=True):
    public_key: str


class NotificationAction(Out, kw_only=True):
    action: str
    title: str


class NotificationOut(Out, kw_only=True):
    id: uuid.UUID
    type: str
    title: str
    body: str
    url: str
    tag: str
    lang: str
    actions: list[NotificationAction]
    data: dict[str, Any]
    urgency: str
    created_at: datetime
    expires_at: datetime
