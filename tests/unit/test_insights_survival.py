"""The forecast's close share: Kaplan–Meier over closed cycles and open (censored) ages, worked by hand."""

from __future__ import annotations

import pytest

from api.insights.forecast import History, Survival


def _history(cycles: list[float], censored: list[float]) -> History:
    history = History()
    history.survival["s"] = Survival(sorted(cycles), sorted(censored))
    return history


def test_without_open_deals_the_share_is_the_count_of_cycles_in_the_window():
    history = _history([1, 2, 2, 3, 5], [])
    # Entered at day 0, asked at day 0 for [1.5, 4): cycles 2, 2, 3 of the 5.
    assert history.close_share("s", entered=0, now=0, start=1.5, end=4) == pytest.approx(3 / 5)
    # At age 2.5 only the 3 and the 5 are left: the 3 closes in [2.5, 4).
    assert history.close_share("s", entered=0, now=2.5, start=0, end=4) == pytest.approx(1 / 2)


def test_an_open_deal_keeps_the_risk_set_large_and_lowers_the_chance_of_closing_soon():
    # Cycles 10 and 20, one deal open for 15 days: at 10, 1 of 3 closes (G = 2/3); at 20, 1 of 1 (G = 0).
    history = _history([10, 20], [15])
    assert history.survival["s"].still_open(10) == 1.0  # G(x) counts cycles strictly below x
    assert history.survival["s"].still_open(11) == pytest.approx(2 / 3)
    assert history.close_share("s", entered=0, now=0, start=0, end=15) == pytest.approx(1 / 3)  # closed-only: 1/2
    assert history.close_share("s", entered=0, now=12, start=0, end=25) == pytest.approx(1.0)


def test_older_than_every_cycle_is_stale_and_no_history_trusts_the_close_date():
    history = _history([10, 20], [30])
    assert history.is_stale("s", 25) and not history.is_stale("s", 19)
    assert history.close_share("s", entered=0, now=25, start=0, end=100) == 0.0
    assert History().close_share("unknown", entered=0, now=5, start=0, end=10) == 1.0
