"""Running Alembic from code: the CLI and the tests create schemas only this way."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from alembic.config import Config

from alembic import command

ROOT = Path(__file__).resolve().parents[2]


def alembic_config(url: str) -> Config:
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "alembic"))
    config.attributes["url"] = url
    return config


def upgrade(url: str, revision: str = "heads") -> None:
    """Apply migrations. Alembic's env runs its own event loop, so inside a running loop it runs in a thread."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        command.upgrade(alembic_config(url), revision)
        return
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(command.upgrade, alembic_config(url), revision).result()


async def upgrade_async(url: str, revision: str = "heads") -> None:
    await asyncio.to_thread(upgrade, url, revision)


# Objects that migrations create by hand and the models cannot describe: SQLite's FTS5 virtual table for
# knowledge search and the shadow tables FTS5 keeps beside it.
UNMODELLED_PREFIXES = ("knowledge_fts",)


def include_object(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    """Leave hand-made search objects out of autogenerate and the drift check."""
    return not (type_ == "table" and reflected and compare_to is None and (name or "").startswith(UNMODELLED_PREFIXES))
