"""The ``fieldloop`` command: serve, migrate, demo, user create."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence

from api.db.models.org import ROLES
from api.settings import Settings, SettingsError


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from api.app import create_app

    if args.no_worker:
        settings.embedded_worker = False
    uvicorn.run(create_app(settings), host=args.host, port=args.port, log_level="info", proxy_headers=False)
    return 0


def _worker(_args: argparse.Namespace, settings: Settings) -> int:
    from arq import run_worker

    from worker.arq_worker import worker_settings

    run_worker(worker_settings(settings))
    return 0


def _migrate(_args: argparse.Namespace, settings: Settings) -> int:
    from api.db.migrations import upgrade

    upgrade(settings.database_url)
    print("migrations applied")
    return 0


def _demo(_args: argparse.Namespace, settings: Settings) -> int:
    from api.demo.loader import load_demo

    summary = asyncio.run(load_demo(settings))
    print(summary)
    return 0


def _user_create(args: argparse.Namespace, settings: Settings) -> int:
    from api.orgs.service import UserSpec, create_user_cli

    spec = UserSpec(
        org=args.org,
        email=args.email,
        password=args.password,
        roles=tuple(args.role),
        team=args.team,
        manager_email=args.manager,
        locale=args.locale,
        name=args.name,
    )
    print(asyncio.run(create_user_cli(settings, spec)))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="fieldloop", description="Fieldloop opportunity management")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="serve the API and the PWA")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--no-worker", action="store_true", help="do not run the embedded job runner")
    serve.set_defaults(handler=_serve)

    commands.add_parser("worker", help="run the arq worker (needs FIELDLOOP_REDIS_URL)").set_defaults(handler=_worker)
    commands.add_parser("migrate", help="apply database migrations").set_defaults(handler=_migrate)
    commands.add_parser("demo", help="load the demo organisation (idempotent)").set_defaults(handler=_demo)

    user = commands.add_parser("user", help="manage users").add_subparsers(dest="user_command", required=True)
    create = user.add_parser("create", help="create a user, and the org and team when missing")
    create.add_argument("--org", required=True)
    create.add_argument("--email", required=True)
    create.add_argument("--password", required=True)
    create.add_argument("--role", required=True, action="append", choices=ROLES, help="repeat for several roles")
    create.add_argument("--team")
    create.add_argument("--manager", help="the manager's email")
    create.add_argument("--locale", choices=["zh-CN", "en"], default="zh-CN")
    create.add_argument("--name")
    create.set_defaults(handler=_user_create)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = Settings.from_env()
        return int(args.handler(args, settings))
    except (SettingsError, ValueError) as exc:
        print(f"fieldloop: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
