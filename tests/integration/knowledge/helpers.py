"""Small builders for knowledge tests."""

from __future__ import annotations

from typing import Any

ARTICLES = "/api/v1/knowledge/articles"
SEARCH = "/api/v1/knowledge/search"
EDITORS = "/api/v1/knowledge/editors"


def article(**fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "title": "2026 年标准价目表",
        "summary": "全部产品的目录价，报价以本表为准。",
        "body": "## 目录价\n\n| 料号 | 价格 |\n|---|---|\n| FL-EG100 | 12,800 |\n\n折扣按审批政策执行。",
        "lang": "zh-CN",
        "kind": "price_list",
        "status": "published",
        "tags": ["价格", "报价"],
    }
    body.update(fields)
    return body


async def create(client, caller, **fields) -> dict:
    response = await client.post(ARTICLES, json=article(**fields), headers=caller.headers)
    assert response.status_code == 201, response.text
    return response.json()


async def patch(client, caller, current: dict, **fields):
    return await client.patch(
        f"{ARTICLES}/{current['id']}", json=fields, headers={**caller.headers, "If-Match": f'"{current["version"]}"'}
    )


async def search(client, caller, q: str, **params: Any) -> list[dict]:
    response = await client.get(SEARCH, params={"q": q, **params}, headers=caller.headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert isinstance(body["took_ms"], float)
    return body["items"]


async def search_ids(client, caller, q: str, **params: Any) -> list[str]:
    return [item["id"] for item in await search(client, caller, q, **params)]
