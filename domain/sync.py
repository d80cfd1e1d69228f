"""The outbox: work to do outside our database (EMR pushes, notifications) and its attempts."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum


class OutboxTopic(StrEnum):
    """The topics of today; the relay carries any topic a handler is registered for."""

    EMR_PUSH = "emr.push"
    EMR_WITHDRAW = "emr.withdraw"  # mark a delivered Observation entered-in-error
    NOTIFY_ALERT = "notify.alert"


EMR_TOPICS = frozenset({OutboxTopic.EMR_PUSH.value, OutboxTopic.EMR_WITHDRAW.value})  # to a practice's own EMR


def topic_of(value: str) -> str:
    """A stored topic: the known member when there is one, else the text itself."""
    try:
        return OutboxTopic(value)
    except ValueError:
        return value


class SyncStatus(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    RETRYING = "retrying"
    DEAD = "dead"


@dataclass(frozen=True)
class OutboxItem:
    """One unit of outbound work. For EMR pushes: one Observation (`code`) of a reading.

    `practice_id`: the practice of the patient the item is about (its EMR connection); the relay claims
    fairly across practices, so one practice's backlog never holds up another's.
    """

    id: str
    topic: str  # an OutboxTopic, or a newer handler's topic
    status: SyncStatus
    created_at: datetime
    updated_at: datetime
    next_attempt_at: datetime
    reading_id: str | None = None
    patient_id: str | None = None
    alert_id: str | None = None
    code: str | None = None
    resource_type: str = "Observation"
    attempts: int = 0
    http_status: int | None = None
    external_id: str | None = None
    last_error: str | None = None
    trace_context: str | None = None
    practice_id: str | None = None

    @property
    def finished(self) -> bool:
        return self.status in (SyncStatus.DELIVERED, SyncStatus.DEAD)


def in_fair_order(items: Iterable[OutboxItem], topics: Sequence[str]) -> list[OutboxItem]:
    """The order the relay claims in: round by round across practices (every practice's first item, then
    every one's second, ...), a practice's own items by topic (earlier in `topics` first) and due time;
    within a round by topic, due time and id."""
    rank = {topic: n for n, topic in enumerate(topics)}
    turns: Counter[str | None] = Counter()
    ranked = []
    for item in sorted(items, key=lambda i: (rank[i.topic], i.next_attempt_at, i.id)):
        turns[item.practice_id] += 1
        ranked.append(((turns[item.practice_id], rank[item.topic], item.next_attempt_at, item.id), item))
    return [item for _, item in sorted(ranked, key=lambda entry: entry[0])]


def within_room(items: Iterable[OutboxItem], room: Mapping[str, Mapping[str, int]]) -> list[OutboxItem]:
    """Items in their order, less those beyond their practice's room: by topic, a practice named in `room`
    keeps only its first that many items of that topic (0: none)."""
    taken: Counter[tuple[str, str | None]] = Counter()
    kept = []
    for item in items:
        most = room.get(item.topic, {}).get(item.practice_id or "")
        if most is None or taken[item.topic, item.practice_id] < most:
            taken[item.topic, item.practice_id] += 1
            kept.append(item)
    return kept


@dataclass(frozen=True)
class SyncAttempt:
    """The record of one try at an outbox item (HTTP status, EMR resource id, error)."""

    id: str
    item_id: str
    attempted_at: datetime
    status: SyncStatus
    http_status: int | None
    external_id: str | None
    error: str | None


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with jitter, capped, and dead after `max_attempts`."""

    base_delay: timedelta = timedelta(seconds=2)
    max_delay: timedelta = timedelta(minutes=15)
    max_attempts: int = 8

    def delay(self, attempts: int, jitter: float, retry_after: float | None = None) -> timedelta:
        """Wait before the next try; `jitter` in [0, 1) spreads retries; Retry-After wins if longer."""
        backoff = min(self.base_delay * (1 << min(max(attempts - 1, 0), 30)), self.max_delay)
        spread = backoff * (0.5 + jitter / 2)
        if retry_after is not None:
            return max(spread, timedelta(seconds=retry_after))
        return spread


def delivered(item: OutboxItem, now: datetime, http_status: int | None, external_id: str | None) -> OutboxItem:
    return replace(
        item, status=SyncStatus.DELIVERED, attempts=item.attempts + 1, http_status=http_status,
        external_id=external_id, last_error=None, updated_at=now,
    )


def failed(
    item: OutboxItem, now: datetime, *, error: str, http_status: int | None, permanent: bool,
    policy: RetryPolicy, jitter: float, retry_after: float | None = None,
) -> OutboxItem:
    """The item after a failed try: retrying later, or dead when permanent or out of attempts."""
    attempts = item.attempts + 1
    dead = permanent or attempts >= policy.max_attempts
    return replace(
        item,
        status=SyncStatus.DEAD if dead else SyncStatus.RETRYING,
        attempts=attempts,
        http_status=http_status,
        last_error=error,
        updated_at=now,
        next_attempt_at=now if dead else now + policy.delay(attempts, jitter, retry_after),
    )


MAX_DEFERRAL = timedelta(minutes=5)


def deferred(item: OutboxItem, now: datetime, wait: timedelta, reason: str | None = None) -> OutboxItem:
    """Not ready yet (waiting on other work, or on something an admin must add): try again later without
    spending an attempt. A `reason` is kept as the last error; deferred again for the same reason, the
    item waits twice as long as the last time (up to MAX_DEFERRAL, and never less than `wait`)."""
    if reason is not None and reason == item.last_error and item.next_attempt_at > item.updated_at:
        wait = max(wait, min((item.next_attempt_at - item.updated_at) * 2, MAX_DEFERRAL))
    last_error = reason if reason is not None else item.last_error
    return replace(item, status=SyncStatus.PENDING, next_attempt_at=now + wait, updated_at=now,
                   last_error=last_error)


def requeued(item: OutboxItem, now: datetime) -> OutboxItem:
    """A dead item sent again by an admin: pending, with a fresh attempt budget."""
    return replace(item, status=SyncStatus.PENDING, attempts=0, next_attempt_at=now, updated_at=now)
