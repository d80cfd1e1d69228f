"""The outbox from the application's side: queue EMR pushes with their reading, claim due work."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from domain.observations import observation_codes
from domain.ports import EmrRejected, EmrUnavailable, IdGenerator, RandomSource, UnitOfWork
from domain.ports.emr import EmrError
from domain.readings import Reading
from domain.sync import OutboxItem, OutboxTopic, RetryPolicy, SyncAttempt, SyncStatus, failed


async def enqueue_observations(
    uow: UnitOfWork, ids: IdGenerator, reading: Reading, now: datetime, trace_context: str | None = None
) -> list[OutboxItem]:
    """One pending EMR push per Observation the reading yields."""
    return await _enqueue(uow, ids, reading, now, OutboxTopic.EMR_PUSH, trace_context)


async def enqueue_withdrawals(uow: UnitOfWork, ids: IdGenerator, reading: Reading, now: datetime) -> list[OutboxItem]:
    """One pending EMR withdrawal (entered-in-error) per Observation the reading yields."""
    return await _enqueue(uow, ids, reading, now, OutboxTopic.EMR_WITHDRAW, None)


async def _enqueue(
    uow: UnitOfWork, ids: IdGenerator, reading: Reading, now: datetime, topic: OutboxTopic,
    trace_context: str | None,
) -> list[OutboxItem]:
    items = observation_items(ids, reading, now, topic, trace_context)
    await uow.outbox.add_many(items)
    return items


def observation_items(
    ids: IdGenerator, reading: Reading, now: datetime, topic: OutboxTopic = OutboxTopic.EMR_PUSH,
    trace_context: str | None = None,
) -> list[OutboxItem]:
    """The pending items of a topic for each Observation the reading yields (not yet stored)."""
    return [
        OutboxItem(
            id=ids.new_id(), topic=topic, status=SyncStatus.PENDING, created_at=now, updated_at=now,
            next_attempt_at=now, reading_id=reading.id, patient_id=reading.patient_id, code=code.value,
            trace_context=trace_context,
        )
        for code in observation_codes(reading)
    ]


def failed_attempt(
    item: OutboxItem, error: EmrError, now: datetime, policy: RetryPolicy, random: RandomSource
) -> OutboxItem:
    """The item after the EMR failed it: a refusal is dead at once; an outage honours Retry-After."""
    if isinstance(error, EmrRejected):
        return failed(item, now, error=str(error), http_status=error.http_status, permanent=True,
                      policy=policy, jitter=0.0)
    retry_after = error.retry_after if isinstance(error, EmrUnavailable) else None
    return failed(item, now, error=str(error), http_status=error.http_status, permanent=False,
                  policy=policy, jitter=random.random(), retry_after=retry_after)


async def record_attempts(uow: UnitOfWork, ids: IdGenerator, tried: Sequence[OutboxItem]) -> None:
    """Save each tried item's new state with the record of its attempt (the caller commits)."""
    for item in tried:
        await uow.outbox.save(item)
        await uow.outbox.add_attempt(SyncAttempt(
            id=ids.new_id(), item_id=item.id, attempted_at=item.updated_at, status=item.status,
            http_status=item.http_status, external_id=item.external_id, error=item.last_error,
        ))


@dataclass(frozen=True)
class PushBatch:
    """One worker's claim: how many items, and how long it holds them before another may take over."""

    worker_id: str
    limit: int = 20
    lease: timedelta = field(default=timedelta(seconds=60))


async def claim(uow: UnitOfWork, topic: OutboxTopic, now: datetime, batch: PushBatch) -> Sequence[OutboxItem]:
    """Lease due items of a topic in a short transaction of its own."""
    async with uow:
        items = await uow.outbox.claim_due(topic, now, batch.limit, batch.worker_id, batch.lease)
        await uow.commit()
    return items
