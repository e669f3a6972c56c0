"""The progressive web app's files, served from pwa/dist when it has been built.

Any path that is not a file of the build and looks like a screen (``/approvals/<id>`` from a notification)
gets the app's index.html, so deep links work before the service worker is installed. Files whose names carry
a content hash are cached for a year; the entry points (index, service worker, manifest, config) never are, so
a new version is seen at once.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path

from litestar import MediaType, get
from litestar.exceptions import NotFoundException
from litestar.handlers import BaseRouteHandler
from litestar.response import File

PWA_DIST = Path(__file__).resolve().parent.parent / "pwa" / "dist"
NOT_THE_APP = ("api/", "schema", "health")
NO_CACHE = {"Cache-Control": "no-cache"}
MEDIA_TYPES = {".webmanifest": "application/manifest+json", ".js": "text/javascript", ".mjs": "text/javascript"}
IMMUTABLE = {"Cache-Control": "public, max-age=31536000, immutable"}

_PLACEHOLDER = """<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>Fieldloop</title>
<p>Fieldloop API 正在运行。应用界面尚未构建。</p><p>The Fieldloop API is running; the app has not been built.</p>
<p><a href="/schema">API</a></p></html>"""


@get("/", media_type=MediaType.HTML, include_in_schema=False)
async def placeholder() -> str:
    return _PLACEHOLDER


def _file(path: Path, headers: dict[str, str]) -> File:
    media_type = MEDIA_TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return File(path, content_disposition_type="inline", media_type=media_type, headers=headers)


@get(["/", "/{path:path}"], include_in_schema=False)
async def pwa(path: str = "/") -> File:
    relative = path.lstrip("/")
    if relative.startswith(NOT_THE_APP):
        raise NotFoundException()
    candidate = (PWA_DIST / relative).resolve()
    if relative and candidate.is_relative_to(PWA_DIST) and candidate.is_file():
        return _file(candidate, IMMUTABLE if relative.startswith("assets/") else NO_CACHE)
    if "." in relative.rsplit("/", 1)[-1]:
        raise NotFoundException()  # a missing file, not a screen
    return _file(PWA_DIST / "index.html", NO_CACHE)


def web_handlers() -> list[BaseRouteHandler]:
    return [pwa] if (PWA_DIST / "index.html").exists() else [placeholder]
