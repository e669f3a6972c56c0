"""Reading a spreadsheet into a header and rows of text, whatever the file format."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from api.lib.i18n import Text, t

SUFFIXES = (".csv", ".xlsx")


class UnreadableFile(ValueError):
    """The file is not a CSV or XLSX we can read."""

    def __init__(self, message: Text) -> None:
        super().__init__(message["en"])
        self.message = message


@dataclass(frozen=True)
class Table:
    """A sheet: its header and its rows; ``row_numbers`` are the numbers a person sees in the spreadsheet."""

    headers: list[str]
    rows: list[list[str]]
    row_numbers: list[int]


def read_table(name: str, content: bytes) -> Table:
    """Read CSV (UTF-8, with or without BOM, or GB18030) or the first sheet of an XLSX workbook."""
    suffix = Path(name).suffix.lower()
    if suffix == ".csv":
        return _csv(content)
    if suffix == ".xlsx":
        return _xlsx(content)
    raise UnreadableFile(
        t(f"unsupported file type {suffix or '(none)'}: use .csv or .xlsx", "不支持的文件类型：请使用 .csv 或 .xlsx")
    )


def _decode(content: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):  # Excel in China saves CSV as GB18030 by default
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnreadableFile(t("the CSV is neither UTF-8 nor GB18030", "CSV 编码既不是 UTF-8 也不是 GB18030"))


def _csv(content: bytes) -> Table:
    text = _decode(content)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel  # type: ignore[assignment]
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    lines = list(reader)
    return _table(lines)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _xlsx(content: bytes) -> Table:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several unrelated types for a damaged file
        raise UnreadableFile(t("not a readable XLSX workbook", "无法读取的 XLSX 工作簿")) from exc
    try:
        sheet = workbook.worksheets[0]
        lines = [[_cell(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()
    return _table(lines)


def _table(lines: list[list[str]]) -> Table:
    """The first non-empty line is the header; blank lines are skipped but keep their numbers."""
    numbered = [(n, [c.strip() for c in line]) for n, line in enumerate(lines, start=1)]
    numbered = [(n, line) for n, line in numbered if any(line)]
    if not numbered:
        raise UnreadableFile(t("the file has no header row", "文件没有表头行"))
    (_, headers), body = numbered[0], numbered[1:]
    width = len(headers)
    rows = [(line + [""] * width)[:width] for _, line in body]
    return Table(headers=headers, rows=rows, row_numbers=[n for n, _ in body])
