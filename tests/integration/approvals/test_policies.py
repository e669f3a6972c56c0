"""Admins read and edit their org's approval policies; requests follow them."""

from __future__ import annotations

from tests.integration.approvals.helpers import submit

BASE = "/api/v1/approvals/policies"


def _policy(**fields) -> dict:
    body = {
        "name_en": "Contracts with the key product",
        "name_zh": "含重点产品的合同",
        "position": 5,
        "conditions": {"subject_types": ["contract"]},
        "steps": [{"approvers": [{"kind": "role", "role": "legal"}], "sla_hours": 8}],
    }
    return body | fields


async def test_admins_read_the_default_policies_and_nobody_else_does(client, org):
    world = org.world
    response = await client.get(BASE, headers=world.admin.headers)
    assert response.status_code == 200
    policies = response.json()["items"]
    assert [p["name_en"] for p in policies] == [
        "Discount over 10 %",
        "Discount over 25 % or deal over ¥1,000,000",
        "Payment terms over 90 days",
    ]
    assert policies[1]["conditions"]["match"] == "any" and policies[1]["conditions"]["amount_over"] == 100_000_000
    assert policies[2]["steps"] == [
        {"approvers": [{"kind": "role", "role": "finance", "user_id": None},
                       {"kind": "role", "role": "legal", "user_id": None}], "mode": "all", "sla_hours": 48}
    ]  # fmt: skip
    for caller in (world.manager, world.rep_a, org.finance):
        assert (await client.get(BASE, headers=caller.headers)).status_code == 403
        assert (await client.post(BASE, json=_policy(), headers=caller.headers)).status_code == 403
    assert (await client.get(BASE, headers=world.outsider.headers)).json()["items"] == []  # another org's admin


async def test_a_new_policy_applies_and_edits_need_the_current_version(client, org):
    world = org.world
    response = await client.post(BASE, json=_policy(), headers=world.admin.headers)
    assert response.status_code == 201, response.text
    policy = response.json()
    assert response.headers["etag"] == '"1"'

    approval = await submit(client, world.rep_a, org.opportunity["id"], subject_type="contract")
    assert [r["name"] for r in approval["rules"]] == ["Contracts with the key product"]
    assert approval["current_approver_ids"] == [str(org.legal.user_id)]
    assert approval["steps"][0]["sla_hours"] == 8

    url = f"{BASE}/{policy['id']}"
    assert (await client.patch(url, json={"active": False}, headers=world.admin.headers)).status_code == 428
    stale = await client.patch(url, json={"active": False}, headers={**world.admin.headers, "If-Match": '"7"'})
    assert stale.status_code == 412
    narrowed = await client.patch(
        url,
        json={"conditions": {"subject_types": ["contract"], "product_ids": [str(org.product_id)]}},
        headers={**world.admin.headers, "If-Match": '"1"'},
    )
    assert narrowed.status_code == 200, narrowed.text
    assert narrowed.json()["version"] == 2
    unknown = await client.put(
        url, json=_policy(subject_types=["quote"]), headers={**world.admin.headers, "If-Match": '"2"'}
    )
    assert unknown.status_code == 422  # subject_types belongs in conditions: nothing set by mistake
    replaced = await client.put(
        url, json=_policy(name_en="Every quote", conditions={"subject_types": ["quote"]}),
        headers={**world.admin.headers, "If-Match": '"2"'},
    )  # fmt: skip
    assert replaced.status_code == 200 and replaced.json()["name_en"] == "Every quote"
    quote = await submit(client, world.rep_a, org.opportunity["id"], subject_type="quote")
    assert quote["current_approver_ids"] == [str(org.legal.user_id)]

    assert (await client.delete(url, headers=world.admin.headers)).status_code == 204
    assert (await client.get(url, headers=world.admin.headers)).status_code == 404
    kept = (await client.get(f"/api/v1/approvals/{quote['id']}", headers=world.rep_a.headers)).json()
    assert kept["rules"][0]["name"] == "Every quote"  # the request keeps why it was asked


async def test_policies_that_name_nobody_or_unknown_things_are_refused(client, org):
    admin = org.world.admin.headers
    cases = [
        ({"steps": [{"approvers": [{"kind": "role"}]}]}, "steps[0].approvers[0].role"),
        ({"steps": [{"approvers": [{"kind": "user", "user_id": str(org.world.outsider.user_id)}]}]},
         "steps[0].approvers[0].user_id"),
        ({"steps": [{"approvers": [{"kind": "manager", "role": "legal"}]}]}, "steps[0].approvers[0].role"),
        ({"conditions": {"product_ids": ["00000000-0000-0000-0000-000000000001"]}}, "conditions.product_ids[0]"),
        ({"steps": []}, "steps"),
        ({"conditions": {"discount_pct_over": 120}}, "conditions.discount_pct_over"),
    ]  # fmt: skip
    for change, field in cases:
        response = await client.post(BASE, json=_policy(**change), headers=admin)
        assert response.status_code == 422, change
        assert response.json()["errors"][0]["field"] == field, response.json()


async def test_a_named_user_decides(client, org):
    world = org.world
    body = _policy(steps=[{"approvers": [{"kind": "user", "user_id": str(world.rep_b.user_id)}]}])
    assert (await client.post(BASE, json=body, headers=world.admin.headers)).status_code == 201
    approval = await submit(client, world.rep_a, org.opportunity["id"], subject_type="contract")
    assert approval["current_approver_ids"] == [str(world.rep_b.user_id)]
