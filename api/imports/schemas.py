"""The import report as the API and the command line show it."""

from __future__ import annotations

from api.imports.normalise import NORMALISATIONS, Report
from api.lib.i18n import render
from api.lib.schema import Out

MAX_PROBLEMS_SHOWN = 500


class EntityCounts(Out):
    created: int
    updated: int
    unchanged: int


class NormalisationOut(Out):
    code: str
    field: str
    before: str
    after: str
    count: int
    rows: list[int]
    message: str


class ProblemOut(Out):
    row: int
    field: str
    code: str
    severity: str
    message: str


class ImportReport(Out):
    kind: str
    dry_run: bool
    rows: int
    imported: int
    refused: int
    normalised: int
    mapping: dict[str, str]
    entities: dict[str, EntityCounts]
    normalisations: list[NormalisationOut]
    problems: list[ProblemOut]
    problems_total: int
    as_of: str | None = None


def report_out(report: Report, locale: str) -> ImportReport:
    """The report in one language; normalisations most frequent first; at most 500 problems listed."""
    as_of = report.as_of.isoformat() if report.as_of else ""
    normalisations = sorted(report.normalisations.values(), key=lambda n: (-n.count, n.code, n.field, n.before))
    return ImportReport(
        kind=report.kind,
        dry_run=report.dry_run,
        rows=report.rows,
        imported=report.rows - report.refused,
        refused=report.refused,
        normalised=len(report.normalised_rows),
        mapping=report.mapping,
        entities={k: EntityCounts(v.created, v.updated, v.unchanged) for k, v in sorted(report.entities.items())},
        normalisations=[
            NormalisationOut(
                code=n.code,
                field=n.field,
                before=n.before,
                after=n.after,
                count=n.count,
                rows=n.rows,
                message=render(NORMALISATIONS[n.code], locale, as_of=as_of),
            )
            for n in normalisations
        ],
        problems=[
            ProblemOut(p.row, p.field, p.code, p.severity, render(p.message, locale, **p.params))
            for p in report.problems[:MAX_PROBLEMS_SHOWN]
        ],
        problems_total=len(report.problems),
        as_of=as_of or None,
    )
