"""The Maven CRM sample export, as the benchmarks that learn from it load it."""

from __future__ import annotations

import os
from pathlib import Path

from api.imports.command import import_file
from api.imports.service import ImportOptions
from api.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("FIELDLOOP_SHARED_DIR") or ROOT / ".." / "shared")
MAVEN = SHARED / "datasets" / "maven-crm"
FILES = (("users", "sales_teams.csv"), ("products", "products.csv"), ("accounts", "accounts.csv"),
         ("opportunities", "sales_pipeline.csv"))  # fmt: skip


def available() -> bool:
    return (MAVEN / "sales_pipeline.csv").is_file()


async def import_maven(settings: Settings, org: str = "Maven") -> None:
    """The four files into ``org`` (currency USD) through the importer; any refused row fails the benchmark."""
    for kind, name in FILES:
        report = await import_file(
            settings, kind, name, (MAVEN / name).read_bytes(), org, ImportOptions(currency="USD")
        )
        if report.refused:
            raise RuntimeError(f"{name}: {report.refused} rows refused")
