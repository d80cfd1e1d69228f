"""Retry policy and outbox item transitions."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain.sync import OutboxItem, OutboxTopic, RetryPolicy, SyncStatus, delivered, failed, requeued
from tests.unit.conftest import NOW

POLICY = RetryPolicy(base_delay=timedelta(seconds=2), max_delay=timedelta(minutes=15), max_attempts=4)


def item(attempts: int = 0) -> OutboxItem:
    return OutboxItem("i-1", OutboxTopic.EMR_PUSH, SyncStatus.PENDING, NOW, NOW, NOW, "r-1", "p-1", "8867-4",
                      attempts=attempts)


@pytest.mark.parametrize(("attempts", "seconds"), [(1, 2), (2, 4), (3, 8), (10, 900), (60, 900)])
def test_backoff_doubles_up_to_the_cap(attempts: int, seconds: int) -> None:
    assert POLICY.delay(attempts, jitter=1.0) == timedelta(seconds=seconds)


@pytest.mark.parametrize("jitter", [0.0, 0.3, 0.999])
def test_jitter_spreads_between_half_and_the_full_backoff(jitter: float) -> None:
    delay = POLICY.delay(3, jitter)
    assert timedelta(seconds=4) <= delay <= timedelta(seconds=8)


def test_a_longer_retry_after_wins_and_a_shorter_one_does_not() -> None:
    assert POLICY.delay(1, 0.0, retry_after=120) == timedelta(seconds=120)
    assert POLICY.delay(3, 1.0, retry_after=1) == timedelta(seconds=8)


def test_a_temporary_failure_retries_later() -> None:
    after = failed(item(), NOW, error="EMR unavailable", http_status=503, permanent=False, policy=POLICY,
                   jitter=1.0, retry_after=30)
    assert (after.status, after.attempts, after.http_status) == (SyncStatus.RETRYING, 1, 503)
    assert after.next_attempt_at == NOW + timedelta(seconds=30)
    assert after.last_error == "EMR unavailable"


def test_permanent_failures_and_the_last_attempt_are_dead() -> None:
    assert failed(item(), NOW, error="rejected", http_status=400, permanent=True, policy=POLICY,
                  jitter=0.5).status is SyncStatus.DEAD
    assert failed(item(attempts=3), NOW, error="down", http_status=503, permanent=False, policy=POLICY,
                  jitter=0.5).status is SyncStatus.DEAD


def test_delivery_records_the_emr_id_and_clears_the_error() -> None:
    retried = failed(item(), NOW, error="down", http_status=503, permanent=False, policy=POLICY, jitter=0.5)
    done = delivered(retried, NOW, 201, "obs-9")
    assert (done.status, done.attempts, done.external_id, done.last_error) == (SyncStatus.DELIVERED, 2, "obs-9", None)
    assert done.finished


def test_requeue_gives_a_dead_item_a_fresh_budget() -> None:
    dead = failed(item(attempts=3), NOW, error="down", http_status=503, permanent=False, policy=POLICY, jitter=0.5)
    again = requeued(dead, NOW + timedelta(hours=1))
    assert (again.status, again.attempts) == (SyncStatus.PENDING, 0)
    assert again.next_attempt_at == NOW + timedelta(hours=1)
