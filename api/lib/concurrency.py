"""ETag and If-Match: updates name the version they were based on, so no update is ever lost."""

from __future__ import annotations

from api.lib.errors import AppError
from api.lib.i18n import t


def etag(version: int) -> str:
    return f'"{version}"'


def parse_if_match(header: str | None) -> int:
    """The version a PATCH is based on: 428 without If-Match, 412 when it names no version we issued."""
    if header is None or not header.strip():
        raise AppError(
            428,
            "precondition-required",
            t("If-Match required", "需要 If-Match"),
            t("Send the ETag you last read in If-Match.", "请在 If-Match 中携带最近读取到的 ETag。"),
        )
    value = header.strip()
    if value.startswith("W/"):
        value = value[2:]
    value = value.strip('"')
    if not value.isdigit():
        raise stale()
    return int(value)


def stale() -> AppError:
    return AppError(
        412,
        "precondition-failed",
        t("Changed meanwhile", "已被他人修改"),
        t(
            "The record changed since you read it; reload it and apply your change again.",
            "记录在您读取后已被修改，请刷新后重新修改。",
        ),
    )


def check_version(expected: int, current: int) -> None:
    if expected != current:
        raise stale()
