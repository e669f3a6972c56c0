"""Policy matching and step planning, without a database."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import msgspec
import pytest

from api.approvals.defaults import DEFAULT_POLICIES
from api.approvals.policies import Facts, explain, match, matching, money, plan
from api.approvals.schemas import Conditions
from api.db.models import ApprovalPolicy

NOW = datetime(2026, 11, 28, tzinfo=UTC)


def _defaults() -> list[ApprovalPolicy]:
    return [
        ApprovalPolicy(id=uuid.uuid4(), org_id=uuid.uuid4(), position=i, active=True, created_at=NOW, **spec)
        for i, spec in enumerate(DEFAULT_POLICIES)
    ]


def _facts(**fields) -> Facts:
    base = {"subject_type": "discount", "discount_pct": None, "amount": None, "payment_terms_days": None}
    return Facts(**(base | fields))


def _steps(**fields) -> list[tuple[str, list[str]]]:
    planned = plan(matching(_defaults(), _facts(**fields)))
    return [(s.mode, [a.get("role") or a["kind"] for a in s.approvers]) for s in planned]


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"discount_pct": 10}, []),  # "over 10 %" means above it
        ({"discount_pct": 10.5}, [("any", ["manager"])]),
        ({"discount_pct": 25}, [("any", ["manager"])]),
        ({"discount_pct": 30}, [("any", ["manager"]), ("any", ["finance"])]),
        ({"amount": 100_000_001}, [("any", ["manager"]), ("any", ["finance"])]),
        ({"amount": 100_000_000}, []),
        ({"payment_terms_days": 91}, [("all", ["finance", "legal"])]),
        ({"payment_terms_days": 90}, []),
        (
            {"discount_pct": 30, "payment_terms_days": 120},
            [("any", ["manager"]), ("any", ["finance"]), ("all", ["finance", "legal"])],
        ),
    ],
)
def test_the_default_policies(fields, expected):
    assert _steps(**fields) == expected


def test_all_of_the_thresholds_or_any_of_them():
    both = Conditions(discount_pct_over=10, amount_over=1000, match="all")
    assert match(both, _facts(discount_pct=20, amount=500)) is None
    assert [r["field"] for r in match(both, _facts(discount_pct=20, amount=5000))] == ["discount_pct", "amount"]
    either = msgspec.structs.replace(both, match="any")
    assert match(either, _facts(discount_pct=20, amount=500)) == [
        {"field": "discount_pct", "threshold": 10, "value": 20}
    ]
    assert match(either, _facts()) is None  # figures not given never exceed anything


def test_subject_types_and_products_narrow_a_policy():
    product = uuid.uuid4()
    contracts = Conditions(subject_types=["contract"])
    assert match(contracts, _facts(subject_type="quote")) is None
    assert match(contracts, _facts(subject_type="contract"))[0]["field"] == "subject_type"
    scanners = Conditions(product_ids=[product], discount_pct_over=5)
    assert match(scanners, _facts(discount_pct=8)) is None
    assert match(scanners, _facts(discount_pct=8, product_ids=frozenset({product}))) is not None


def test_inactive_policies_and_order():
    policies = _defaults()
    policies[0].active = False
    assert [m.policy.name_en for m in matching(policies, _facts(discount_pct=30))] == [
        "Discount over 25 % or deal over ¥1,000,000"
    ]
    policies[0].active, policies[0].position = True, 99
    assert [m.policy.position for m in matching(policies, _facts(discount_pct=30))] == [1, 99]


def test_a_repeated_step_keeps_the_shorter_sla():
    policies = _defaults()
    policies[1].steps = [{"approvers": [{"kind": "manager"}], "mode": "any", "sla_hours": 4}]
    [step] = plan(matching(policies, _facts(discount_pct=30)))
    assert step.sla_hours == 4 and step.policy_name_en == "Discount over 10 %"


def test_reasons_read_well_in_both_languages():
    reason = {"field": "amount", "threshold": 100_000_000, "value": 123_456_789}
    assert explain(reason, "en", "CNY") == "Amount ¥1,234,567.89 is over ¥1,000,000.00"
    assert explain(reason, "zh-CN", "CNY") == "金额 ¥1,234,567.89 超过 ¥1,000,000.00"
    assert money(5, "USD") == "USD 0.05"
    assert explain({"field": "subject_type", "threshold": ["stage_gate"], "value": "stage_gate"}, "zh-CN", "CNY") == (
        "所有“阶段评审”申请"
    )
