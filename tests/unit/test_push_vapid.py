"""The VAPID identity: generated once and kept private, and a JWT a push service accepts."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time

import jwt
from cryptography.hazmat.primitives.asymmetric import ec

from api.notifications.schemas import b64url_decode
from api.notifications.vapid import JWT_LIFETIME_S, JWT_REUSE_S, fallback_subject, key_path, load_identity
from api.settings import Settings


def _settings(tmp_path, **kwargs) -> Settings:
    return Settings(**{"secret_key": "x" * 40, "var_dir": tmp_path / "var", **kwargs})


def test_the_key_pair_is_generated_once_into_var_readable_by_the_owner_only(tmp_path):
    settings = _settings(tmp_path)
    identity = load_identity(settings)
    path = key_path(settings)
    assert path == tmp_path / "var" / "vapid_private.pem"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    point = b64url_decode(identity.public_key)
    assert len(point) == 65 and point[0] == 4
    assert load_identity(_settings(tmp_path)).public_key == identity.public_key  # same file, same key


def test_a_configured_key_file_is_used(tmp_path):
    elsewhere = tmp_path / "keys" / "vapid.pem"
    identity = load_identity(_settings(tmp_path, vapid_private_key_file=elsewhere))
    assert elsewhere.exists() and not (tmp_path / "var" / "vapid_private.pem").exists()
    assert identity.public_key != load_identity(_settings(tmp_path / "other")).public_key


def test_the_jwt_names_the_origin_with_its_port_expires_within_a_day_and_verifies_with_k(tmp_path):
    identity = load_identity(_settings(tmp_path))
    header = identity.authorization("http://127.0.0.1:8766", "mailto:admin@acme.test")
    token = header.removeprefix("vapid t=").split(",")[0]
    key = header.split("k=")[1]
    public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b64url_decode(key))
    claims = jwt.decode(token, public, algorithms=["ES256"], audience="http://127.0.0.1:8766")
    assert claims["sub"] == "mailto:admin@acme.test"
    assert time.time() < claims["exp"] <= time.time() + 24 * 3600
    assert abs(claims["exp"] - time.time() - JWT_LIFETIME_S) < 5
    assert jwt.get_unverified_header(token)["alg"] == "ES256"


def test_the_fallback_subject_is_a_mailto_address():
    assert fallback_subject().startswith("mailto:admin@")
    assert "localhost" not in fallback_subject()


def _fieldloop(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "api.cli", *args], env={**os.environ, **env}, capture_output=True, text=True, timeout=60
    )


def test_fieldloop_vapid_prints_the_public_key_generating_it_once(tmp_path):
    first = _fieldloop("vapid", FIELDLOOP_VAR_DIR=str(tmp_path))
    second = _fieldloop("vapid", FIELDLOOP_VAR_DIR=str(tmp_path))
    assert first.returncode == 0, first.stderr
    key = first.stdout.strip()
    assert second.stdout.strip() == key
    assert load_identity(_settings(tmp_path, var_dir=tmp_path)).public_key == key
    assert stat.S_IMODE((tmp_path / "vapid_private.pem").stat().st_mode) == 0o600
    elsewhere = _fieldloop(
        "vapid", FIELDLOOP_VAR_DIR=str(tmp_path), FIELDLOOP_VAPID_PRIVATE_KEY_FILE=str(tmp_path / "k.pem")
    )
    assert elsewhere.returncode == 0 and elsewhere.stdout.strip() != key


def test_a_jwt_serves_one_push_service_and_subject_for_an_hour_then_a_new_one_is_signed(tmp_path):
    identity = load_identity(_settings(tmp_path))
    origin, subject, start = "https://fcm.googleapis.com", "mailto:admin@acme.test", time.time()
    first = identity.authorization(origin, subject, now=start)
    assert identity.authorization(origin, subject, now=start + JWT_REUSE_S - 1) == first
    assert identity.authorization("https://updates.push.services.mozilla.com", subject, now=start) != first
    assert identity.authorization(origin, "mailto:other@acme.test", now=start) != first
    renewed = identity.authorization(origin, subject, now=start + JWT_REUSE_S)
    assert renewed != first
    claims = jwt.decode(
        renewed.removeprefix("vapid t=").split(",")[0],
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b64url_decode(renewed.split("k=")[1])),
        algorithms=["ES256"],
        audience=origin,
        options={"verify_exp": False},
    )
    assert claims["exp"] == int(start + JWT_REUSE_S) + JWT_LIFETIME_S  # a reused JWT always has 11 h or more left
