"""The server's Web Push identity (VAPID, RFC 8292): a P-256 key pair kept on disk, and the signed JWT per send.

The key pair is generated on first use into ``var/vapid_private.pem`` (mode 0600) unless
FIELDLOOP_VAPID_PRIVATE_KEY_FILE names another file. Browsers bind each subscription to the public key, so
losing or replacing it silently ends every subscription: keep the file with the database's backups.
"""

from __future__ import annotations

import contextlib
import os
import socket
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy import String, cast, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.db.models import User
from api.notifications.schemas import b64url
from api.settings import Settings

JWT_LIFETIME_S = 12 * 3600  # RFC 8292: at most 24 h; half of that leaves room for clock skew
# RFC 8292 section 2 lets a JWT serve many requests to one push service until it expires: one is signed per push
# service and subject, and used for an hour (it then has 11 hours left), not signed again for every message.
JWT_REUSE_S = 3600
SUBJECT_CACHE_S = 600.0


@dataclass
class VapidIdentity:
    private_key: ec.EllipticCurvePrivateKey
    public_key: str  # the applicationServerKey: the uncompressed point, base64url
    private_pem: bytes
    public_pem: bytes
    _subjects: dict[uuid.UUID | None, tuple[float, str]] = field(default_factory=dict)
    _signed: dict[tuple[str, str], tuple[float, str]] = field(default_factory=dict)  # (aud, sub): (until, header)

    def authorization(self, audience: str, subject: str, *, now: float | None = None) -> str:
        """The ``Authorization`` header for a push service origin (``aud`` keeps a non-default port), signed
        afresh once the last one for this origin and subject has served JWT_REUSE_S."""
        now = time.time() if now is None else now
        reused = self._signed.get((audience, subject))
        if reused is not None and reused[0] > now:
            return reused[1]
        claims = {"aud": audience, "exp": int(now) + JWT_LIFETIME_S, "sub": subject}
        header = f"vapid t={jwt.encode(claims, self.private_key, algorithm='ES256')}, k={self.public_key}"
        if len(self._signed) > 10_000:
            self._signed.clear()
        self._signed[(audience, subject)] = (now + JWT_REUSE_S, header)
        return header


def key_path(settings: Settings) -> Path:
    return settings.vapid_private_key_file or settings.var_dir / "vapid_private.pem"


def _generate(path: Path) -> None:
    """Write a new key, atomically and readable by the owner only; a concurrent first use keeps the other's key."""
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
            handle.flush()
            os.fsync(handle.fileno())
        with contextlib.suppress(FileExistsError):
            os.link(temporary, path)  # fails if another process got there first: theirs wins
    finally:
        temporary.unlink(missing_ok=True)


_identities: dict[Path, VapidIdentity] = {}


def load_identity(settings: Settings) -> VapidIdentity:
    """The VAPID key pair, generated on first use; read once per process."""
    path = key_path(settings).resolve()
    identity = _identities.get(path)
    if identity is not None:
        return identity
    if not path.exists():
        _generate(path)
    private_key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(private_key, ec.EllipticCurvePrivateKey) or not isinstance(private_key.curve, ec.SECP256R1):
        raise ValueError(f"{path} is not a P-256 private key")
    public = private_key.public_key()
    identity = VapidIdentity(
        private_key=private_key,
        public_key=b64url(
            public.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
        ),
        private_pem=private_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ),
        public_pem=public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo),
    )
    _identities[path] = identity
    return identity


def fallback_subject() -> str:
    """``mailto:admin@`` this machine's domain name, or a reserved example domain when it has none."""
    name = socket.getfqdn().lower().rstrip(".")
    public = (
        "." in name and not name.endswith((".local", ".localdomain", ".internal", ".lan")) and "localhost" not in name
    )
    return f"mailto:admin@{name if public else 'fieldloop.example'}"


async def subject_for(
    sessionmaker: async_sessionmaker[AsyncSession], settings: Settings, identity: VapidIdentity, org_id: uuid.UUID
) -> str:
    """The VAPID ``sub``: FIELDLOOP_VAPID_SUBJECT, else mailto: the org's first admin (cached a few minutes)."""
    if settings.vapid_subject:
        return settings.vapid_subject
    cached = identity._subjects.get(org_id)
    if cached and cached[0] > time.monotonic():
        return cached[1]
    async with sessionmaker() as session:
        rows = await session.execute(
            select(User.email, User.roles)
            .where(User.org_id == org_id, User.is_active.is_(True), cast(User.roles, String).like('%"admin"%'))
            .order_by(User.created_at)
            .limit(5)
        )
    email = next((e for e, roles in rows if "admin" in (roles or ())), None)
    subject = f"mailto:{email}" if email else fallback_subject()
    identity._subjects[org_id] = (time.monotonic() + SUBJECT_CACHE_S, subject)
    return subject
