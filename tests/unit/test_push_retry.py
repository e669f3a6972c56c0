"""The job's retry policy: Topic per tag, Retry-After, and backoff that lasts as long as the TTL."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest

from worker import push
from worker.arq_worker import MAX_TRIES
from worker.push import backoff_s, retry_after_s, topic_for


def test_a_topic_is_short_url_safe_and_one_per_tag():
    topic = topic_for("approval:2f1c7d1e-4a55-4c2e-9a9b-6a1f0e3c8d2b")
    assert len(topic) <= 32 and topic.replace("-", "").replace("_", "").isalnum()
    assert topic == topic_for("approval:2f1c7d1e-4a55-4c2e-9a9b-6a1f0e3c8d2b")
    assert topic != topic_for("approval:another")


def test_retry_after_is_read_as_seconds_or_a_date():
    now = datetime(2026, 11, 28, 12, 0, 0, tzinfo=UTC)
    assert retry_after_s("120", now) == 120
    assert retry_after_s("Sat, 28 Nov 2026 12:00:30 GMT", now) == 30
    assert retry_after_s("soon", now) is None
    assert retry_after_s(None, now) is None


def test_backoff_is_exponential_with_full_jitter_early_on():
    random.seed(7)
    for attempt in range(1, 6):
        waits = [backoff_s(attempt, 86400) for _ in range(200)]
        assert max(waits) <= push.BACKOFF_BASE_S * 2**attempt
        assert min(waits) < push.BACKOFF_BASE_S * 2**attempt / 4  # full jitter: anywhere from zero


@pytest.mark.parametrize("ttl_s", [60, 3600, 86400, 28 * 86400])
@pytest.mark.parametrize("luck", [0.0, 1.0])
def test_retries_last_until_the_ttl_runs_out_within_the_runners_tries(monkeypatch, ttl_s, luck):
    monkeypatch.setattr(push.random, "uniform", lambda low, high: low + (high - low) * luck)
    remaining, attempt = float(ttl_s), 1
    while True:
        wait = backoff_s(attempt, remaining)
        if wait >= remaining:  # the job marks the delivery expired instead of waiting
            break
        remaining -= wait
        attempt += 1
    assert attempt <= MAX_TRIES
