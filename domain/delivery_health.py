"""How each practice's EMR connection is doing, as the relay saw it: last success, last failure, backlog.

The relay folds every recorded batch into one mark per practice; the store keeps the latest of each
(a failure's reason is the EMR error's message, which never carries patient data).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from domain.sync import OutboxItem, SyncStatus


@dataclass(frozen=True)
class DeliveryMark:
    """What one recorded batch says about one practice's connection (None: nothing of that kind)."""

    practice_id: str
    succeeded_at: datetime | None = None
    failed_at: datetime | None = None
    failure: str | None = None
    failure_http_status: int | None = None


@dataclass(frozen=True)
class ConnectionHealth:
    """One practice's EMR connection: when it last took a delivery, when and why it last failed one, and
    how many of its EMR items wait (pending or retrying)."""

    practice_id: str
    last_success_at: datetime | None = None
    last_failure_at: datetime | None = None
    last_failure: str | None = None
    last_failure_http_status: int | None = None
    backlog: int = 0


def marks_of(recorded: Iterable[OutboxItem], now: datetime) -> list[DeliveryMark]:
    """One mark per practice of the items as recorded (their new states): a delivery is a success, a
    retry or a dead item a failure (the batch's last one gives the reason); items still pending were not
    tried and say nothing."""
    marks: dict[str, DeliveryMark] = {}
    for item in recorded:
        if item.practice_id is None or item.status is SyncStatus.PENDING:
            continue
        mark = marks.get(item.practice_id, DeliveryMark(item.practice_id))
        if item.status is SyncStatus.DELIVERED:
            mark = DeliveryMark(mark.practice_id, now, mark.failed_at, mark.failure, mark.failure_http_status)
        else:
            mark = DeliveryMark(mark.practice_id, mark.succeeded_at, now, item.last_error, item.http_status)
        marks[item.practice_id] = mark
    return [marks[practice] for practice in sorted(marks)]


def with_connections(found: Iterable[ConnectionHealth], practices: Iterable[str]) -> list[ConnectionHealth]:
    """Every practice with a connection (an empty record when nothing was sent yet) and every practice the
    store knows of (items waiting for a practice without a connection are shown too), by practice."""
    by_practice = {health.practice_id: health for health in found}
    for practice in practices:
        by_practice.setdefault(practice, ConnectionHealth(practice))
    return [by_practice[practice] for practice in sorted(by_practice)]
