"""Queueing the EMR pushes of an accepted reading (same transaction as the reading)."""

from __future__ import annotations

from datetime import datetime

from domain.observations import observation_codes
from domain.ports import IdGenerator, UnitOfWork
from domain.readings import Reading
from domain.sync import OutboxItem, OutboxTopic, SyncStatus


async def enqueue_observations(
    uow: UnitOfWork, ids: IdGenerator, reading: Reading, now: datetime
) -> list[OutboxItem]:
    """One pending EMR push per Observation the reading yields."""
    items = [
        OutboxItem(
            id=ids.new_id(),
            topic=OutboxTopic.EMR_PUSH,
            status=SyncStatus.PENDING,
            created_at=now,
            updated_at=now,
            next_attempt_at=now,
            reading_id=reading.id,
            patient_id=reading.patient_id,
            code=code.value,
        )
        for code in observation_codes(reading)
    ]
    for item in items:
        await uow.outbox.add(item)
    return items
