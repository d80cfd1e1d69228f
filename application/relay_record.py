"""How the relay writes down a send, the same for every topic: next state, attempt, audit entry."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import TypeVar

from application.auditing import AuditRecord
from application.context import OUTBOX_WORKER
from application.relay_handler import Outcome, TopicHandler
from domain.audit import AuditOutcome
from domain.ports import IdGenerator, Metrics, RandomSource
from domain.sync import OutboxItem, RetryPolicy, SyncAttempt, SyncStatus, deferred, delivered, failed

Sent = tuple[OutboxItem, Outcome]  # an item as it is to be recorded, and what its send did
T = TypeVar("T")


def next_state(item: OutboxItem, outcome: Outcome, now: datetime, policy: RetryPolicy,
               random: RandomSource) -> OutboxItem:
    """Delivered; deferred without spending an attempt; or failed: dead when permanent or out of
    attempts, else retried after backoff with jitter (longer if the peer's Retry-After says so)."""
    if outcome.wait is not None:
        return deferred(item, now, outcome.wait, outcome.error)
    if outcome.delivered:
        return delivered(item, now, outcome.http_status, outcome.external_id)
    return failed(item, now, error=outcome.error or "failed", http_status=outcome.http_status,
                  permanent=outcome.permanent, policy=policy,
                  jitter=0.0 if outcome.permanent else random.random(), retry_after=outcome.retry_after)


def attempts_of(sent: Sequence[Sent], ids: IdGenerator) -> list[SyncAttempt]:
    """The record of each try (a deferral was no try)."""
    return [
        SyncAttempt(id=ids.new_id(), item_id=after.id, attempted_at=after.updated_at, status=after.status,
                    http_status=after.http_status, external_id=after.external_id, error=after.last_error)
        for after, outcome in sent if outcome.wait is None
    ]


def audit_records(handlers: Mapping[str, TopicHandler], sent: Sequence[Sent]) -> list[AuditRecord]:
    """One entry per topic and outcome among the sends, naming every item and its subject (ids only)."""
    groups: dict[tuple[str, str, str], list[str]] = {}
    for after, outcome in sent:
        if outcome.wait is None:
            key = (after.topic, after.status.value, str(after.http_status or ""))
            groups.setdefault(key, []).extend((after.id, after.reading_id or after.alert_id or ""))
    return [
        AuditRecord(OUTBOX_WORKER, handlers[topic].audit_action, handlers[topic].audit_resource, tuple(resource_ids),
                    AuditOutcome.SUCCESS if status == SyncStatus.DELIVERED.value else AuditOutcome.FAILURE,
                    {"status": status, "http_status": http_status})
        for (topic, status, http_status), resource_ids in groups.items()
    ]


def by_topic(entries: Sequence[T], item: Callable[[T], OutboxItem]) -> dict[str, list[T]]:
    """Entries grouped by their item's topic, in order."""
    grouped: dict[str, list[T]] = {}
    for entry in entries:
        grouped.setdefault(item(entry).topic, []).append(entry)
    return grouped


def measure_send(metrics: Metrics, span_name: str, after: OutboxItem, started: float) -> None:
    """A try's latency (since `started`, on the loop's clock) and, unless delivered, a failure count."""
    metric, labels = span_name.replace(".", "_"), {"status": after.status.value}
    metrics.observe(f"{metric}_latency_ms", (asyncio.get_running_loop().time() - started) * 1000, labels)
    if after.status is not SyncStatus.DELIVERED:
        metrics.count(f"{metric}_failures", {**labels, "http_status": str(after.http_status or "")})
