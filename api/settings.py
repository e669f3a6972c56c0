"""Typed settings read from FIELDLOOP_* environment variables."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import msgspec

DEFAULT_PUSH_HOSTS = (
    "fcm.googleapis.com",
    "updates.push.services.mozilla.com",
    "web.push.apple.com",
    "wns2-par02p.notify.windows.com",
    "notify.windows.com",
)


class SettingsError(ValueError):
    """A setting is missing or malformed."""


class Settings(msgspec.Struct, kw_only=True):
    """Everything the application reads from its environment, resolved once."""

    env: str = "dev"
    database_url: str = "sqlite+aiosqlite:///var/fieldloop.db"
    redis_url: str | None = None
    secret_key: str = ""
    var_dir: Path = Path("var")
    vapid_private_key_file: Path | None = None
    vapid_subject: str | None = None
    push_allowed_hosts: tuple[str, ...] = DEFAULT_PUSH_HOSTS
    access_token_ttl_s: int = 15 * 60
    refresh_token_ttl_s: int = 30 * 24 * 3600
    max_body_bytes: int = 1_000_000
    login_max_failures_per_account: int = 5
    login_max_failures_per_address: int = 20
    login_window_s: int = 15 * 60
    principal_cache_ttl_s: float = 5.0
    # Run background jobs inside the API process when no Redis is configured (`serve --no-worker` turns it off).
    embedded_worker: bool = True
    relay_poll_s: float = 1.0

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def sqlite_path(self) -> Path | None:
        """The file behind a sqlite URL (None for memory or other databases)."""
        if not self.is_sqlite:
            return None
        path = self.database_url.split(":///", 1)[1] if ":///" in self.database_url else ""
        return Path(path) if path and path != ":memory:" else None

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        """Read FIELDLOOP_* variables; in development the secret key is generated into var/."""
        env = dict(os.environ if environ is None else environ)

        def get(name: str) -> str | None:
            value = env.get(f"FIELDLOOP_{name}")
            return value if value not in (None, "") else None

        kind = get("ENV") or "dev"
        if kind not in ("dev", "prod"):
            raise SettingsError(f"FIELDLOOP_ENV must be 'dev' or 'prod', not {kind!r}")
        var_dir = Path(get("VAR_DIR") or "var")
        settings = cls(
            env=kind,
            database_url=get("DATABASE_URL") or f"sqlite+aiosqlite:///{var_dir / 'fieldloop.db'}",
            redis_url=get("REDIS_URL"),
            var_dir=var_dir,
            vapid_private_key_file=Path(p) if (p := get("VAPID_PRIVATE_KEY_FILE")) else None,
            vapid_subject=get("VAPID_SUBJECT"),
            push_allowed_hosts=_split_hosts(get("PUSH_ALLOWED_HOSTS")) or DEFAULT_PUSH_HOSTS,
        )
        secret = get("SECRET_KEY")
        if secret is None:
            if kind == "prod":
                raise SettingsError("FIELDLOOP_SECRET_KEY is required when FIELDLOOP_ENV=prod")
            secret = _dev_secret(var_dir)
        if len(secret) < 32:
            raise SettingsError("FIELDLOOP_SECRET_KEY must be at least 32 characters")
        settings.secret_key = secret
        return settings


def _split_hosts(value: str | None) -> tuple[str, ...]:
    return tuple(h.strip() for h in value.split(",") if h.strip()) if value else ()


def _dev_secret(var_dir: Path) -> str:
    """A per-checkout development secret, kept in var/ so tokens survive restarts."""
    path = var_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    var_dir.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(48)
    path.write_text(secret)
    path.chmod(0o600)
    return secret
