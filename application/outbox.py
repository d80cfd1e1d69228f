"""The outbox from the application's side: EMR pushes (built for the intake's page) and withdrawals, queued
with their reading (application/relay.py consumes them)."""

from __future__ import annotations

from datetime import datetime

from domain.observations import observation_codes
from domain.ports import IdGenerator, UnitOfWork
from domain.readings import Reading
from domain.sync import OutboxItem, OutboxTopic, SyncStatus


async def enqueue_withdrawals(
    uow: UnitOfWork, ids: IdGenerator, reading: Reading, now: datetime, practice_id: str,
) -> list[OutboxItem]:
    """One pending EMR withdrawal (entered-in-error) per Observation the reading yields, to the EMR of
    `practice_id` (the patient's practice)."""
    items = observation_items(ids, reading, now, practice_id, OutboxTopic.EMR_WITHDRAW)
    await uow.outbox.add_many(items)
    return items


def observation_items(
    ids: IdGenerator, reading: Reading, now: datetime, practice_id: str | None,
    topic: OutboxTopic = OutboxTopic.EMR_PUSH, trace_context: str | None = None,
) -> list[OutboxItem]:
    """The pending items of a topic for each Observation the reading yields (not yet stored), for the EMR
    of `practice_id` (the patient's practice)."""
    pending = SyncStatus.PENDING  # looked up once, not per item (an Enum member's lookup is slow)
    return [
        OutboxItem(
            id=ids.new_id(), topic=topic, status=pending, created_at=now, updated_at=now,
            next_attempt_at=now, reading_id=reading.id, patient_id=reading.patient_id, code=code,
            trace_context=trace_context, practice_id=practice_id,
        )
        for code in observation_codes(reading)
    ]
