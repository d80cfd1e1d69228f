"""DeliveryHealthRepository in memory: a mark per practice, the backlog counted from the outbox."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import replace

from adapters.fakes.repositories import InMemoryRepository
from domain.delivery_health import ConnectionHealth, DeliveryMark
from domain.sync import EMR_TOPICS, SyncStatus


class InMemoryDeliveryHealth(InMemoryRepository):
    async def note(self, marks: Sequence[DeliveryMark]) -> None:
        for mark in marks:
            health = self._t.delivery_health.get(mark.practice_id, ConnectionHealth(mark.practice_id))
            if mark.succeeded_at and (health.last_success_at is None or health.last_success_at < mark.succeeded_at):
                health = replace(health, last_success_at=mark.succeeded_at)
            if mark.failed_at and (health.last_failure_at is None or health.last_failure_at < mark.failed_at):
                health = replace(health, last_failure_at=mark.failed_at, last_failure=mark.failure,
                                 last_failure_http_status=mark.failure_http_status)
            self._t.delivery_health[mark.practice_id] = health

    async def report(self, practice_id: str | None = None) -> Sequence[ConnectionHealth]:
        backlog = Counter(i.practice_id for i in self._t.outbox.values() if i.topic in EMR_TOPICS and i.practice_id
                          and i.status in (SyncStatus.PENDING, SyncStatus.RETRYING))
        practices = sorted({*self._t.delivery_health, *(p for p in backlog if p)} - {None})
        return [replace(self._t.delivery_health.get(p, ConnectionHealth(p)), backlog=backlog.get(p, 0))
                for p in practices if practice_id in (None, p)]
