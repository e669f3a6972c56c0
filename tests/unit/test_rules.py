"""The validation rules on their own, without HTTP or a database."""

from datetime import date

from api.db.models import Stage
from api.opportunities import rules
from api.pipeline.defaults import DEFAULT_PIPELINE

TODAY = date(2026, 11, 28)
STAGES = {
    spec.key: Stage(
        key=spec.key, position=i, probability=spec.probability, kind=spec.kind, needs_evidence=spec.needs_evidence
    )
    for i, spec in enumerate(DEFAULT_PIPELINE, start=1)
}


def deal(**fields) -> rules.Deal:
    base = {
        "stage": "lead",
        "amount": 0,
        "close_date": None,
        "loss_reason": None,
        "forecast_category": "pipeline",
        "discount_pct": 0.0,
    }
    return rules.Deal(**{**base, **fields})


def codes(problems) -> list[str]:
    return [p.code for p in problems]


def test_line_amount_is_exact_in_minor_units():
    assert rules.LineDraft(3, 333, 33.33).amount == 666  # 999 × 0.6667 = 666.03, rounded down to whole fen
    assert rules.LineDraft(1, 100, 0).amount == 100
    assert rules.LineDraft(2, 100, 100).amount == 0


def test_a_past_close_date_only_matters_when_the_write_touches_it():
    old = deal(close_date=date(2026, 1, 1))
    assert codes(rules.check(old, rules.Change(TODAY, is_new=True), STAGES)) == ["close_date_past"]
    assert rules.check(old, rules.Change(TODAY, is_new=False, fields=frozenset({"next_step"})), STAGES) == []


def test_evidence_is_needed_only_when_moving_forward_past_qualification():
    forward = rules.Change(TODAY, is_new=False, previous_stage="qualified", fields=frozenset({"stage"}))
    backward = rules.Change(TODAY, is_new=False, previous_stage="negotiation", fields=frozenset({"stage"}))
    assert codes(rules.evidence_needed(deal(stage="solution"), forward, STAGES)) == ["needs_evidence"]
    assert rules.evidence_needed(deal(stage="solution"), backward, STAGES) == []
    assert rules.evidence_needed(deal(stage="qualified"), rules.Change(TODAY, is_new=True), STAGES) == []
    assert rules.evidence_needed(deal(stage="lost", loss_reason="x"), forward, STAGES) == []


def test_every_problem_is_reported_at_once():
    problems = rules.check(
        deal(stage="won", amount=0, close_date=None, discount_pct=101), rules.Change(TODAY, True), STAGES
    )
    assert sorted(codes(problems)) == ["discount_range", "won_needs_amount", "won_needs_close_date"]
