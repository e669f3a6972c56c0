"""The fieldloop command, run as a user would run it."""

import os
import subprocess
import sys
from pathlib import Path


def run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "api.cli", *args], env=env, capture_output=True, text=True, timeout=120
    )


def test_migrate_and_user_create(tmp_path: Path):
    env = {
        **os.environ,
        "FIELDLOOP_VAR_DIR": str(tmp_path),
        "FIELDLOOP_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/cli.db",
    }
    assert run("migrate", env=env).returncode == 0
    created = run(
        "user", "create", "--org", "Acme", "--email", "Boss@acme.test", "--password", "long-enough-1",
        "--role", "manager", "--role", "approver", "--team", "East", "--locale", "en", env=env,
    )  # fmt: skip
    assert created.returncode == 0, created.stderr
    assert "boss@acme.test" in created.stdout
    rep = run(
        "user", "create", "--org", "Acme", "--email", "rep@acme.test", "--password", "long-enough-2", "--role", "rep",
        "--team", "East", "--manager", "boss@acme.test", env=env,
    )  # fmt: skip
    assert rep.returncode == 0, rep.stderr
    again = run(
        "user",
        "create",
        "--org",
        "Acme",
        "--email",
        "rep@acme.test",
        "--password",
        "long-enough-2",
        "--role",
        "rep",
        env=env,
    )
    assert again.returncode == 2
    assert "exists already" in again.stderr
    bad_role = run(
        "user", "create", "--org", "Acme", "--email", "z@acme.test", "--password", "x" * 9, "--role", "king", env=env
    )
    assert bad_role.returncode == 2
    assert (tmp_path / "secret_key").exists()


def test_prod_refuses_to_start_without_a_secret(tmp_path: Path):
    env = {**os.environ, "FIELDLOOP_ENV": "prod", "FIELDLOOP_VAR_DIR": str(tmp_path)}
    env.pop("FIELDLOOP_SECRET_KEY", None)
    result = run("migrate", env=env)
    assert result.returncode == 2
    assert "FIELDLOOP_SECRET_KEY" in result.stderr
