"""``fieldloop import KIND FILE --org NAME [--dry-run]``: one transaction, committed unless it is a dry run."""

from __future__ import annotations

import asyncio
from pathlib import Path

from api.db.engine import Database
from api.imports.normalise import Report
from api.imports.readers import read_table
from api.imports.schemas import report_out
from api.imports.service import ImportOptions, ImportService
from api.orgs.service import ensure_org
from api.settings import Settings


def import_path(settings: Settings, kind: str, path: Path, org: str, options: ImportOptions) -> Report:
    """Import one file into the org (created when missing); raises ValueError for an unreadable file or header."""
    return asyncio.run(import_file(settings, kind, path.name, path.read_bytes(), org, options))


async def import_file(
    settings: Settings, kind: str, name: str, content: bytes, org: str, options: ImportOptions
) -> Report:
    """Import one file's content in one transaction, committed unless it is a dry run."""
    table = read_table(name, content)
    db = Database(settings)
    try:
        async with db.sessionmaker() as session:
            org_row = await ensure_org(session, org, **({"currency": options.currency} if options.currency else {}))
            await session.flush()
            report = await ImportService(session, org_row.id, options).run(kind, table)
            if options.dry_run:
                await session.rollback()
            else:
                await session.commit()
            return report
    finally:
        await db.dispose()


def summary(raw: Report, limit: int = 50) -> str:
    """A summary a person reads in a terminal: counts, what was normalised, row-level problems (both languages)."""
    report, zh = report_out(raw, "en"), report_out(raw, "zh-CN")
    lines = [
        ("DRY RUN, nothing written / 试运行，未写入任何数据" if report.dry_run else "imported / 已导入")
        + f": {report.kind}",
        f"rows {report.rows}: imported {report.imported}, refused {report.refused}, normalised {report.normalised}",
        "columns: " + ", ".join(f"{field}←{header!r}" for field, header in report.mapping.items()),
    ]
    for entity, counts in report.entities.items():
        lines.append(f"  {entity}: created {counts.created}, updated {counts.updated}, unchanged {counts.unchanged}")
    if report.normalisations:
        lines.append("normalised / 已规范化:")
    for n, z in zip(report.normalisations, zh.normalisations, strict=True):
        change = f" {n.before!r} → {n.after!r}" if n.before or n.after else ""
        lines.append(f"  {n.count:>6} × {n.field}{change}: {n.message} / {z.message} (rows {n.rows[:5]}...)")
    if report.problems_total:
        lines.append(f"problems / 问题 ({report.problems_total}):")
    for p, z in list(zip(report.problems, zh.problems, strict=True))[:limit]:
        lines.append(f"  row {p.row} [{p.field}] {p.message} / 第 {p.row} 行：{z.message}")
    return "\n".join(lines)
