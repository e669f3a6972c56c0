"""The progressive web app's files, served from pwa/dist when it has been built."""

from __future__ import annotations

from pathlib import Path

from litestar import MediaType, get
from litestar.handlers import BaseRouteHandler
from litestar.static_files import create_static_files_router

PWA_DIST = Path(__file__).resolve().parent.parent / "pwa" / "dist"

_PLACEHOLDER = """<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>Fieldloop</title>
<p>Fieldloop API 正在运行。应用界面尚未构建。</p><p>The Fieldloop API is running; the app has not been built.</p>
<p><a href="/schema">API</a></p></html>"""


@get("/", media_type=MediaType.HTML, include_in_schema=False)
async def placeholder() -> str:
    return _PLACEHOLDER


def web_handlers() -> list[BaseRouteHandler | object]:
    if (PWA_DIST / "index.html").exists():
        return [create_static_files_router(path="/", directories=[PWA_DIST], html_mode=True, include_in_schema=False)]
    return [placeholder]
