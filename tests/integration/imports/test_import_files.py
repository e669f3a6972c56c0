"""Uploads by admins: CSV and XLSX, detected and overridden columns, dry runs, row-level problems in two languages."""

from __future__ import annotations

import io
import json

from openpyxl import Workbook

CSV = (
    "商机编号,商机名称,负责人,客户,阶段,创建日期,成交日期,金额\n"
    "D-1,Scanner rollout,a@acme.test,上海明珠制造,赢单,2026-01-05,2026-02-01,1200.50\n"
    "D-2,Second deal,a@acme.test,上海明珠制造,Engaging,1/15/2026,,\n"
    "D-3,Bad stage,a@acme.test,上海明珠制造,Dreaming,2026-01-05,,\n"
    "D-4,Bad date,a@acme.test,上海明珠制造,lead,31/31/2026,,\n"
    "D-1,Duplicate,a@acme.test,上海明珠制造,lead,2026-01-05,,\n"
)


def _upload(client, caller, body: bytes, **params):
    query = {"kind": "opportunities", "filename": "deals.csv", **params}
    return client.post("/api/v1/imports", content=body, params=query, headers=caller.headers)


async def test_a_dry_run_reports_row_problems_and_writes_nothing(client, world):
    response = await _upload(client, world.admin, CSV.encode(), dry_run="true")
    assert response.status_code == 200, response.text
    report = response.json()
    assert (report["dry_run"], report["rows"], report["imported"], report["refused"]) == (True, 5, 2, 3)
    assert report["mapping"]["external_id"] == "商机编号" and report["mapping"]["stage"] == "阶段"
    problems = {(p["row"], p["field"], p["code"]) for p in report["problems"]}
    assert problems == {(4, "stage", "unknown_stage"), (5, "engage_date", "bad_date"), (6, "external_id", "duplicate")}
    assert any("Dreaming" in p["message"] for p in report["problems"])
    listed = await client.get("/api/v1/opportunities", headers=world.admin.headers)
    assert listed.json()["items"] == []

    zh = await client.post(
        "/api/v1/imports",
        content=CSV.encode(),
        params={"kind": "opportunities", "dry_run": "true"},
        headers={**world.admin.headers, "Accept-Language": "zh-CN"},
    )
    assert any("重复" in p["message"] for p in zh.json()["problems"])


async def test_an_import_writes_history_and_a_second_one_changes_nothing(client, world):
    first = (await _upload(client, world.admin, CSV.encode())).json()
    assert first["entities"]["opportunities"] == {"created": 2, "updated": 0, "unchanged": 0}
    listed = (await client.get("/api/v1/opportunities", headers=world.rep_a.headers)).json()["items"]
    won = next(o for o in listed if o["name"] == "Scanner rollout")
    assert (won["stage"], won["amount"], won["close_date"]) == ("won", 120050, "2026-02-01")
    history = (await client.get(f"/api/v1/opportunities/{won['id']}/history", headers=world.rep_a.headers)).json()
    assert [(s["stage"], s["entered_at"][:10]) for s in history["stages"]] == [
        ("qualified", "2026-01-05"),
        ("won", "2026-02-01"),
    ]
    second = (await _upload(client, world.admin, CSV.encode())).json()
    assert second["entities"]["opportunities"] == {"created": 0, "updated": 0, "unchanged": 2}

    changed = CSV.replace(
        "D-2,Second deal,a@acme.test,上海明珠制造,Engaging", "D-2,Second deal,a@acme.test,上海明珠制造,lost"
    )
    third = (await _upload(client, world.admin, changed.encode())).json()
    assert third["entities"]["opportunities"] == {"created": 0, "updated": 1, "unchanged": 1}
    deal = next(
        o
        for o in (await client.get("/api/v1/opportunities", headers=world.rep_a.headers)).json()["items"]
        if o["name"] == "Second deal"
    )
    assert (deal["stage"], deal["version"]) == ("lost", 2)
    history = (await client.get(f"/api/v1/opportunities/{deal['id']}/history", headers=world.rep_a.headers)).json()
    assert [s["stage"] for s in history["stages"]] == ["qualified", "lost"]
    assert history["stages"][0]["left_at"] is not None


async def test_xlsx_with_a_mapping_override_imports_accounts(client, world):
    book = Workbook()
    sheet = book.active
    sheet.append(["Kunde", "Branche", "Ort"])
    sheet.append(["Hangzhou Tea Co", "retial", "Hangzhou"])
    sheet.append(["", "retail", ""])
    buffer = io.BytesIO()
    book.save(buffer)
    mapping = json.dumps({"name": "Kunde", "industry": "Branche", "city": "Ort"})
    response = await client.post(
        "/api/v1/imports",
        content=buffer.getvalue(),
        params={"kind": "accounts", "filename": "kunden.xlsx", "mapping": mapping},
        headers=world.admin.headers,
    )
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["entities"]["accounts"]["created"] == 1
    assert [(p["row"], p["code"]) for p in report["problems"]] == [(3, "missing")]
    assert {(n["before"], n["after"]) for n in report["normalisations"] if n["code"] == "industry_spelling"} == {
        ("retial", "retail")
    }
    accounts = (await client.get("/api/v1/accounts", headers=world.admin.headers)).json()["items"]
    assert any(a["name"] == "Hangzhou Tea Co" and a["industry"] == "retail" for a in accounts)


async def test_only_admins_import_and_a_bad_header_is_a_clear_422(client, world):
    assert (await _upload(client, world.manager, CSV.encode())).status_code == 403
    response = await _upload(client, world.admin, b"foo,bar\n1,2\n")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "mapping.external_id"
    response = await _upload(client, world.admin, b"x", filename="deals.pdf")
    assert response.status_code == 422 and response.json()["errors"][0]["code"] == "unreadable"
