"""The score's arithmetic and the LTV/CAC figures on hand-made inputs."""

from __future__ import annotations

import uuid
from datetime import date

from api.scoring.signals import Count, Fact, Rate, Record, ScoreInputs, compute_score
from api.scoring.value import ValueSettings, compute_value, pipeline_days, renewals_from_history

SETTINGS = ValueSettings("CNY", 10_000, 50_000, 5_000, 60.0, 3.0, 0.5, "settings")


def _inputs(**changes: object) -> ScoreInputs:
    unknown = Count(0, None)
    base = dict(
        engagement_30d=unknown, engagement_90d=unknown, inbound_90d=unknown, email_opens=Rate(0, 0),
        meeting_attendance=Rate(0, 0), budget_confirmed=Fact(None), decision_maker_involved=Fact(None),
        payment_punctuality=Rate(0, 0), support_responsiveness=Rate(0, 0),
    )  # fmt: skip
    return ScoreInputs(**{**base, **changes})  # type: ignore[arg-type]


def test_with_nothing_known_the_score_is_50_and_every_input_is_listed_unknown():
    score = compute_score(_inputs())
    assert (score.score, score.reasons, len(score.unknown)) == (50, [], 9)


def test_each_kind_of_input_contributes_as_defined():
    record = Record("activity", uuid.uuid4())
    score = compute_score(
        _inputs(
            engagement_30d=Count(1, 4.0, [record]),  # 1/4 − 1 = −0.75 → 8 × −0.75 = −6
            engagement_90d=Count(30, 3.0),  # 10 − 1 = 9, clamped to 1 → +5
            email_opens=Rate(1, 4),  # 4 × (0.5 − 1) = −2
            budget_confirmed=Fact(True),  # +8
            payment_punctuality=Rate(3, 4),  # 5 × (1.5 − 1) = +2.5
        )
    )
    assert {r.key: r.contribution for r in score.reasons} == {
        "engagement_30d": -6.0, "engagement_90d": 5.0, "email_opens": -2.0, "budget_confirmed": 8.0,
        "payment_punctuality": 2.5,
    }  # fmt: skip
    assert score.score == 58  # 50 − 6 + 5 − 2 + 8 + 2.5 = 57.5 → rounds half up
    assert [r.key for r in score.reasons] == [
        "budget_confirmed", "engagement_30d", "engagement_90d", "payment_punctuality", "email_opens",
    ]  # fmt: skip
    assert score.reasons[1].records == [record]
    assert "inbound_90d" in {u.key for u in score.unknown}


def test_the_score_stays_within_0_and_100():
    best = compute_score(
        _inputs(
            engagement_30d=Count(9, 1.0), engagement_90d=Count(9, 1.0), inbound_90d=Count(9, 1.0),
            email_opens=Rate(2, 2), meeting_attendance=Rate(1, 1), budget_confirmed=Fact(True),
            decision_maker_involved=Fact(True), payment_punctuality=Rate(1, 1), support_responsiveness=Rate(1, 1),
        )
    )  # fmt: skip
    worst = compute_score(
        _inputs(
            engagement_30d=Count(0, 1.0), engagement_90d=Count(0, 1.0), inbound_90d=Count(0, 1.0),
            email_opens=Rate(0, 2), meeting_attendance=Rate(0, 1), budget_confirmed=Fact(False),
            decision_maker_involved=Fact(False), payment_punctuality=Rate(0, 1), support_responsiveness=Rate(0, 1),
        )
    )  # fmt: skip
    assert (best.score, worst.score) == (100, 0)


def test_a_typical_of_zero_cannot_be_compared_and_is_unknown():
    score = compute_score(_inputs(inbound_90d=Count(2, 0.0)))
    assert (score.score, [u.key for u in score.unknown][2]) == (50, "inbound_90d")


def test_value_figures():
    # LTV = 2,000,000 × 60 % × (1 + 0.5) = 1,800,000; EV = 0.25 × LTV = 450,000.
    # Cost = 3 × 10,000 + 2 × 50,000 + 40 × 5,000 = 330,000; ratio 1.3636 < 3: low value.
    value = compute_value(SETTINGS, amount=2_000_000, currency="CNY", probability=0.25, activities=3, visits=2, days=40)
    assert (value.ltv, value.expected_value, value.cost, value.ratio, value.low_value) == (
        1_800_000, 450_000, 330_000, 1.3636, True,
    )  # fmt: skip
    richer = compute_value(
        SETTINGS, amount=8_000_000, currency="CNY", probability=0.25, activities=3, visits=2, days=40
    )
    assert (richer.ratio, richer.low_value) == (5.4545, False)  # 1,800,000 / 330,000


def test_no_cost_or_another_currency_means_no_flag():
    free = ValueSettings("CNY", 0, 0, 0, 60.0, 3.0, 0.0, "none")
    value = compute_value(free, amount=100, currency="CNY", probability=0.5, activities=2, visits=0, days=10)
    assert (value.cost, value.ratio, value.low_value) == (0, None, False)
    dollars = compute_value(SETTINGS, amount=100, currency="USD", probability=0.5, activities=2, visits=0, days=10)
    assert (dollars.ltv, dollars.ratio, dollars.low_value) == (None, None, False)


def test_pipeline_days_run_to_the_close_date_or_today():
    assert pipeline_days(date(2026, 1, 1), date(2026, 3, 1), date(2026, 2, 1)) == 59
    assert pipeline_days(date(2026, 1, 1), date(2026, 1, 10), date(2026, 2, 1)) == 31  # close date passed
    assert pipeline_days(date(2026, 2, 1), None, date(2026, 2, 1)) == 1  # a day at least


def test_renewals_from_history_need_five_original_contracts():
    assert renewals_from_history(5, 3) == 0.6
    assert renewals_from_history(4, 3) is None
