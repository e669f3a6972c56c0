"""Errors as application/problem+json (RFC 9457), localized, never showing internals."""

from __future__ import annotations

import logging
import re
from typing import Any

import asyncpg
import msgspec
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.openapi.datastructures import ResponseSpec
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from api.lib.i18n import Text, negotiate, render, t

log = logging.getLogger("fieldloop.errors")
PROBLEM_BASE = "https://fieldloop.example/problems/"
PROBLEM_MEDIA_TYPE = "application/problem+json"


class FieldProblem(msgspec.Struct):
    """What is wrong with one field, before it is put into a language."""

    field: str
    code: str
    message: Text
    params: dict[str, Any] = msgspec.field(default_factory=dict)


class FieldError(msgspec.Struct):
    field: str
    code: str
    message: str


class Problem(msgspec.Struct, omit_defaults=True):
    type: str
    title: str
    status: int
    detail: str | None = None
    errors: list[FieldError] = msgspec.field(default_factory=list)


class AppError(Exception):
    """An error a client can act on: a status, a stable type and a message in both languages."""

    def __init__(
        self,
        status: int,
        slug: str,
        title: Text,
        detail: Text | None = None,
        errors: list[FieldProblem] | None = None,
        headers: dict[str, str] | None = None,
        **params: Any,
    ) -> None:
        super().__init__(slug)
        self.status = status
        self.slug = slug
        self.title = title
        self.detail = detail
        self.errors = errors or []
        self.headers = headers or {}
        self.params = params

    def problem(self, locale: str) -> Problem:
        return Problem(
            type=PROBLEM_BASE + self.slug,
            title=render(self.title, locale),
            status=self.status,
            detail=render(self.detail, locale, **self.params) if self.detail else None,
            errors=[FieldError(e.field, e.code, render(e.message, locale, **e.params)) for e in self.errors],
        )


def not_found() -> AppError:
    return AppError(404, "not-found", t("Not found", "未找到"), t("No such resource.", "该资源不存在。"))


def validation_failed(errors: list[FieldProblem]) -> AppError:
    return AppError(
        422,
        "validation-error",
        t("Invalid request", "请求无效"),
        t("Some fields are not acceptable; see errors.", "部分字段不符合要求，详见 errors。"),
        errors=errors,
    )


def field_error(field: str, code: str, message: Text, **params: Any) -> AppError:
    return validation_failed([FieldProblem(field, code, message, params)])


def conflict(slug: str, detail: Text) -> AppError:
    return AppError(409, slug, t("Conflict", "冲突"), detail)


def unauthorized(detail: Text | None = None) -> AppError:
    return AppError(
        401,
        "unauthorized",
        t("Sign-in required", "需要登录"),
        detail or t("A valid access token is required.", "需要有效的访问令牌。"),
        headers={"WWW-Authenticate": "Bearer"},
    )


def forbidden() -> AppError:
    return AppError(
        403, "forbidden", t("Not allowed", "无权操作"), t("Your role cannot do this.", "您的角色无权执行此操作。")
    )


def locale_of(request: Request[Any, Any, Any]) -> str:
    principal = request.scope.get("state", {}).get("principal")
    return negotiate(request.headers.get("accept-language"), getattr(principal, "locale", None))


def problem_response(request: Request[Any, Any, Any], error: AppError) -> Response[bytes]:
    body = msgspec.json.encode(error.problem(locale_of(request)))
    return Response(body, status_code=error.status, media_type=PROBLEM_MEDIA_TYPE, headers=error.headers)


_MSGSPEC_PATH = re.compile(r"at `\$\.?([^`]*)`")
_UNKNOWN_FIELD = re.compile(r"unknown field `([^`]+)`")


def _from_validation(exc: ValidationException) -> AppError:
    """Turn Litestar/msgspec decoding errors into field-level problems."""
    problems: list[FieldProblem] = []
    for item in exc.extra if isinstance(exc.extra, list) else []:
        raw = str(item.get("message", "")) if isinstance(item, dict) else str(item)
        key = item.get("key") if isinstance(item, dict) else None
        unknown = _UNKNOWN_FIELD.search(raw)
        if unknown:
            path = _MSGSPEC_PATH.search(raw)
            prefix = f"{path.group(1)}." if path and path.group(1) else ""
            problems.append(
                FieldProblem(
                    prefix + unknown.group(1),
                    "not_allowed",
                    t("This field cannot be set.", "不允许设置此字段。"),
                )
            )
            continue
        path = _MSGSPEC_PATH.search(raw)
        field = (path.group(1) if path else None) or (key if key and key != "body" else None) or "body"
        problems.append(FieldProblem(field, "invalid", t("Invalid value: {raw}", "取值无效：{raw}"), {"raw": raw}))
    if not problems:
        problems.append(FieldProblem("body", "invalid", t("The request could not be read.", "无法解析请求内容。")))
    return validation_failed(problems)


_UNREADABLE = t("The request could not be read; send valid JSON.", "无法读取请求，请发送有效的 JSON。")
_HTTP_TITLES: dict[int, tuple[str, Text]] = {
    400: ("bad-request", t("Bad request", "请求错误")),
    401: ("unauthorized", t("Sign-in required", "需要登录")),
    403: ("forbidden", t("Not allowed", "无权操作")),
    404: ("not-found", t("Not found", "未找到")),
    405: ("method-not-allowed", t("Method not allowed", "不支持该方法")),
    413: ("payload-too-large", t("Request too large", "请求内容过大")),
    415: ("unsupported-media-type", t("Unsupported media type", "不支持的内容类型")),
    429: ("rate-limited", t("Too many requests", "请求过于频繁")),
}


def _is_data_error(exc: BaseException) -> bool:
    """A value the database refused (SQLSTATE class 22), however the driver and SQLAlchemy wrapped it."""
    seen: BaseException | None = exc
    for _ in range(5):
        if seen is None:
            return False
        if isinstance(seen, DataError | asyncpg.DataError):
            return True
        seen = getattr(seen, "orig", None) or seen.__cause__
    return False


def handle_exception(request: Request[Any, Any, Any], exc: Exception) -> Response[bytes]:
    """The one exception handler: known errors keep their status, anything else is a bare 500."""
    if isinstance(exc, AppError):
        return problem_response(request, exc)
    if isinstance(exc, ValidationException):
        return problem_response(request, _from_validation(exc))
    if isinstance(exc, IntegrityError):
        # A unique or foreign key constraint refused the write: a duplicate client-chosen id, a concurrent insert.
        log.info("integrity error on %s %s: %s", request.method, request.url.path, exc.orig)
        return problem_response(
            request, conflict("write-conflict", t("This conflicts with an existing record.", "与已有记录冲突。"))
        )
    if _is_data_error(exc):
        # The database refused a value the schema let through: a NUL character, a number out of range.
        log.info("data error on %s %s: %s", request.method, request.url.path, exc)
        return problem_response(
            request,
            field_error(
                "body",
                "unstorable_value",
                t(
                    "A value cannot be stored (for example a NUL character or a number out of range).",
                    "某个值无法保存（例如包含 NUL 字符或数值超出范围）。",
                ),
            ),
        )
    if isinstance(exc, StaleDataError):
        from api.lib.concurrency import stale

        return problem_response(request, stale())
    if isinstance(exc, HTTPException) and exc.status_code < 500:
        slug, title = _HTTP_TITLES.get(exc.status_code, ("http-error", t("Request failed", "请求失败")))
        detail = _UNREADABLE if exc.status_code == 400 else None
        return problem_response(
            request, AppError(exc.status_code, slug, title, detail, headers=dict(exc.headers or {}))
        )
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem_response(
        request,
        AppError(
            HTTP_500_INTERNAL_SERVER_ERROR,
            "internal-error",
            t("Something went wrong", "服务器出错了"),
            t("The error has been logged; please try again.", "错误已记录，请稍后重试。"),
        ),
    )


_DESCRIPTIONS = {
    400: "The request could not be read (malformed JSON or parameters)",
    401: "Not signed in, or the sign-in has ended",
    404: "No such resource, or out of the caller's reach",
    409: "Conflict: an existing record, or the same Idempotency-Key still running",
    412: "If-Match names a version that is no longer current",
    413: "Request body too large",
    422: "Invalid request: see the field-level errors",
    403: "The caller's role may not do this",
    428: "If-Match is required",
    429: "Too many requests: see Retry-After",
}


def problems(*codes: int) -> dict[int, ResponseSpec]:
    """OpenAPI entries for the problem+json answers a handler may give (400, a request that cannot be read,
    is always among them: it replaces the plain-JSON 400 Litestar would document)."""
    return {
        code: ResponseSpec(data_container=Problem, description=_DESCRIPTIONS[code], media_type=PROBLEM_MEDIA_TYPE)
        for code in sorted({400, *codes})
    }


READ = problems(401, 404, 422)
WRITE = problems(401, 404, 409, 413, 422)
UPDATE = problems(401, 404, 409, 412, 413, 422, 428)
