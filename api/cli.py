"""The ``fieldloop`` command: serve, migrate, demo, user create, import, vapid."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
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

    with contextlib.suppress(ImportError):  # uvloop, the loop uvicorn runs the API on
        import uvloop

        asyncio.set_event_loop(uvloop.new_event_loop())  # the loop arq's Worker takes
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


def _import(args: argparse.Namespace, settings: Settings) -> int:
    from pathlib import Path

    from api.imports.command import import_path, summary
    from api.imports.mapping import MappingError
    from api.imports.readers import UnreadableFile
    from api.imports.service import ImportOptions

    options = ImportOptions(dry_run=args.dry_run, currency=args.currency.upper() if args.currency else None)
    try:
        report = import_path(settings, args.kind, Path(args.file), args.org, options)
    except (UnreadableFile, MappingError, OSError) as exc:
        print(f"fieldloop import: {exc}", file=sys.stderr)
        return 2
    print(summary(report))
    return 0


def _vapid(_args: argparse.Namespace, settings: Settings) -> int:
    from api.notifications.vapid import load_identity

    print(load_identity(settings).public_key)
    return 0


def _knowledge_reindex(args: argparse.Namespace, settings: Settings) -> int:
    from api.knowledge.index import reindex

    print(asyncio.run(reindex(settings, args.org)))
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
    commands.add_parser(
        "vapid", help="print the Web Push (VAPID) public key, generating the key pair on first use"
    ).set_defaults(handler=_vapid)

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

    from api.imports.mapping import KINDS

    imp = commands.add_parser("import", help="import a CSV or XLSX file (opportunities, accounts, products, users)")
    imp.add_argument("kind", choices=KINDS)
    imp.add_argument("file", help="a .csv or .xlsx file")
    imp.add_argument("--org", required=True)
    imp.add_argument("--dry-run", action="store_true", help="check and report, write nothing")
    imp.add_argument("--currency", help="currency of amounts when the file has none (default: the org's)")
    imp.set_defaults(handler=_import)

    knowledge = commands.add_parser("knowledge", help="knowledge base upkeep")
    knowledge_commands = knowledge.add_subparsers(dest="knowledge_command", required=True)
    rebuild = knowledge_commands.add_parser("reindex", help="rebuild the knowledge search index from the articles")
    rebuild.add_argument("--org", help="only this organisation (by name); default: every one")
    rebuild.set_defaults(handler=_knowledge_reindex)
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
