"""Web Push encryption checked byte for byte against RFC 8291 Appendix A, through the webpush package."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
import webpush
from cryptography.hazmat.primitives.asymmetric import ec

from api.notifications.vapid import load_identity
from api.settings import Settings
from tests.support_push_service import decrypt_aes128gcm, unb64url
from worker.push import seal

REPO = Path(__file__).resolve().parents[2]


def _vector() -> dict[str, Any]:
    shared = Path(os.environ.get("FIELDLOOP_SHARED_DIR") or REPO / ".." / "shared")
    path = shared / "benchmarks" / "rfc8291_vector.json"
    if not path.exists():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"the RFC 8291 vector is missing: {path}")
        pytest.skip(
            f"needs ../shared/benchmarks/rfc8291_vector.json beside the repository (or FIELDLOOP_SHARED_DIR): {path}"
        )
    return json.loads(path.read_text())


def _private_key(b64: str) -> ec.EllipticCurvePrivateKey:
    return ec.derive_private_key(int.from_bytes(unb64url(b64), "big"), ec.SECP256R1())


@pytest.fixture
def vector(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """The vector, with webpush made to use its salt and its application server (sender) key pair."""
    data = _vector()
    salt = unb64url(data["salt"])
    sender = _private_key(data["application_server_private_key"])
    monkeypatch.setattr(webpush.os, "urandom", lambda n: salt if n == 16 else os.urandom(n))
    monkeypatch.setattr(webpush.ec, "generate_private_key", lambda *args, **kwargs: sender)
    return data


def test_webpush_encrypts_exactly_as_the_rfc_says(vector, tmp_path):
    identity = load_identity(Settings(secret_key="x" * 40, var_dir=tmp_path))
    subscription = webpush.WebPushSubscription.model_validate(
        {"endpoint": "https://push.example.net/p/JzLQ3raZJfFBR0aqvOMsLrt54w4rJUsV",
         "keys": {"p256dh": vector["user_agent_public_key"], "auth": vector["auth_secret"]}}
    )  # fmt: skip
    sender = webpush.WebPush(identity.private_pem, identity.public_pem, subscriber="admin@example.com")
    message = sender.get(vector["plaintext"].encode(), subscription)
    assert message.encrypted == unb64url(vector["encrypted_message"])
    assert message.headers["content-encoding"] == "aes128gcm"


def test_the_delivery_path_seals_exactly_as_the_rfc_says_and_a_browser_can_open_it(vector, tmp_path):
    identity = load_identity(Settings(secret_key="x" * 40, var_dir=tmp_path))
    body, authorization = seal(
        identity,
        vector["plaintext"].encode(),
        "https://push.example.net/p/JzLQ3raZJfFBR0aqvOMsLrt54w4rJUsV",
        vector["user_agent_public_key"],
        vector["auth_secret"],
        "https://push.example.net",
        "mailto:admin@example.com",
    )
    assert body == unb64url(vector["encrypted_message"])
    assert authorization.startswith("vapid t=") and authorization.endswith(f", k={identity.public_key}")
    receiver = _private_key(vector["user_agent_private_key"])
    assert decrypt_aes128gcm(body, receiver, unb64url(vector["auth_secret"])) == vector["plaintext"].encode()
