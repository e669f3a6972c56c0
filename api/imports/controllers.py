"""Spreadsheet uploads (admins): the file is the raw request body, the options are query parameters."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, post
from litestar.params import Parameter
from sqlalchemy.ext.asyncio import AsyncSession

from api.imports.mapping import KINDS, MappingError
from api.imports.readers import UnreadableFile, read_table
from api.imports.schemas import ImportReport, report_out
from api.imports.service import ImportOptions, ImportService
from api.lib.auth import Principal
from api.lib.errors import FieldProblem, field_error, forbidden, locale_of, problems, validation_failed
from api.lib.i18n import t


def _json_object(name: str, text: str | None) -> dict[str, str]:
    if not text:
        return {}
    try:
        value = msgspec.json.decode(text, type=dict[str, str])
    except msgspec.DecodeError:
        raise field_error(
            name, "invalid", t("Give a JSON object of strings.", "请提供由字符串组成的 JSON 对象。")
        ) from None
    return value


class ImportController(Controller):
    path = "/api/v1/imports"
    tags = ["imports"]  # noqa: RUF012

    @post(
        "/",
        summary="Import a CSV or XLSX file (admins): accounts, contacts, products, users or opportunities",
        description=(
            "The body is the file itself. `filename` tells its type (.csv or .xlsx). `mapping` overrides the detected "
            "columns as a JSON object field → header ('' ignores a field); `stages` maps stage values of the file to "
            "stage keys. With `dry_run=true` nothing is written and the report says what would happen."
        ),
        responses=problems(401, 403, 404, 409, 413, 422),
        status_code=200,
    )
    async def upload(
        self,
        request: Request[Any, Any, Any],
        db: AsyncSession,
        principal: Principal,
        kind: Annotated[str, Parameter(description=f"one of {', '.join(KINDS)}")],
        filename: Annotated[str, Parameter(max_length=200)] = "upload.csv",
        dry_run: bool = False,
        mapping: str | None = None,
        stages: str | None = None,
        currency: Annotated[str | None, Parameter(min_length=3, max_length=3)] = None,
    ) -> ImportReport:
        if not principal.is_admin:
            raise forbidden()
        if kind not in KINDS:
            raise field_error("kind", "invalid", t("Unknown kind {kind}.", "未知的导入类型 {kind}。"), kind=kind)
        options = ImportOptions(
            dry_run=dry_run,
            currency=currency.upper() if currency else None,
            mapping=_json_object("mapping", mapping),
            stages=_json_object("stages", stages),
        )
        try:
            table = read_table(filename, await request.body())
            report = await ImportService(db, principal.org_id, options).run(kind, table)
        except UnreadableFile as exc:
            raise validation_failed([FieldProblem("body", "unreadable", exc.message)]) from None
        except MappingError as exc:
            raise validation_failed([FieldProblem(f"mapping.{f}", "unmapped", m) for f, m in exc.problems]) from None
        return report_out(report, locale_of(request))
