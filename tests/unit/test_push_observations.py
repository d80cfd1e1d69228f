"""The relay's EMR create topic: each Observation reaches the EMR once; failures retry or go dead, all recorded."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import timedelta

from application.push_observations import EmrCreateHandler
from application.relay import OutboxRelay
from application.relay import RelayBatch as PushBatch
from application.relay_handler import TopicHandler
from domain.events import ObservationPushed
from domain.ports.emr import EmrRejected, EmrUnavailable, ObservationReceipt
from domain.readings import ReadingStatus
from domain.sync import OutboxTopic, RetryPolicy, SyncStatus
from tests.unit.conftest import NOW, Fakes, bp
from tests.unit.test_record_reading import assign_cuff, record

POLICY = RetryPolicy(base_delay=timedelta(seconds=2), max_delay=timedelta(minutes=15), max_attempts=3)


def relay(fakes: Fakes, *handlers: TopicHandler) -> OutboxRelay:
    return OutboxRelay(lambda: fakes.uow, handlers, fakes.clock, fakes.ids, fakes.random, POLICY, fakes.auditor)


def relayed(relay: OutboxRelay) -> Callable[[PushBatch], Awaitable[list[ObservationPushed]]]:
    async def run(batch: PushBatch) -> list[ObservationPushed]:
        return list((await relay(batch)).results)
    return run


def push(fakes: Fakes) -> Callable[[PushBatch], Awaitable[list[ObservationPushed]]]:
    """A relay of EMR creates only."""
    return relayed(relay(fakes, EmrCreateHandler(fakes.emr)))


async def accepted_bp(fakes: Fakes) -> str:
    await assign_cuff(fakes)
    event = await record(fakes, bp())
    return event.reading_id or ""


async def test_pending_pushes_are_delivered_and_attempts_recorded(fakes: Fakes) -> None:
    reading_id = await accepted_bp(fakes)
    results = await push(fakes)(PushBatch("w1"))
    assert sorted(r.http_status or 0 for r in results) == [201, 201]
    assert sorted(fakes.emr.observations) == [f"{reading_id}-85354-9", f"{reading_id}-8867-4"]
    items = list(fakes.db.outbox.values())
    assert {(i.status, i.attempts) for i in items} == {(SyncStatus.DELIVERED, 1)}
    assert {i.external_id for i in items} == {o.emr_resource_id for o in fakes.emr.observations.values()}
    assert len(fakes.db.attempts) == 2
    assert await push(fakes)(PushBatch("w1")) == []


async def test_an_observation_already_in_the_emr_counts_as_delivered(fakes: Fakes) -> None:
    await accepted_bp(fakes)
    await push(fakes)(PushBatch("w1"))
    for item in list(fakes.db.outbox.values()):  # as if a crash lost our record of the first push
        fakes.db.outbox[item.id] = replace(item, status=SyncStatus.PENDING)
    results = await push(fakes)(PushBatch("w1"))
    assert {r.http_status for r in results} == {200}
    assert len(fakes.emr.observations) == 2


async def test_an_outage_retries_after_retry_after_then_delivers_once(fakes: Fakes) -> None:
    await accepted_bp(fakes)
    busy = EmrUnavailable("busy", http_status=429, retry_after=60)
    fakes.emr.fail_next(busy, busy)
    first = await push(fakes)(PushBatch("w1"))
    assert {r.status for r in first} == {"retrying"}
    assert {i.next_attempt_at for i in fakes.db.outbox.values()} == {NOW + timedelta(seconds=60)}
    fakes.clock.advance(timedelta(seconds=30))
    assert await push(fakes)(PushBatch("w1")) == []  # not due yet
    fakes.clock.advance(timedelta(seconds=31))
    second = await push(fakes)(PushBatch("w1"))
    assert {r.status for r in second} == {"delivered"}
    assert len(fakes.emr.observations) == 2
    assert {i.attempts for i in fakes.db.outbox.values()} == {2}


async def test_a_refusal_is_dead_with_the_emrs_reason(fakes: Fakes) -> None:
    await accepted_bp(fakes)
    fakes.emr.fail_next(EmrRejected("Observation.code: unknown system", http_status=422))
    await push(fakes)(PushBatch("w1", limit=1))
    dead = [i for i in fakes.db.outbox.values() if i.status is SyncStatus.DEAD]
    assert [(i.http_status, i.last_error) for i in dead] == [(422, "Observation.code: unknown system")]


async def test_attempts_run_out_into_dead(fakes: Fakes) -> None:
    await accepted_bp(fakes)
    fakes.emr.down = True
    for _ in range(POLICY.max_attempts):
        await push(fakes)(PushBatch("w1"))
        fakes.clock.advance(timedelta(minutes=20))
    assert {(i.status, i.attempts) for i in fakes.db.outbox.values()} == {(SyncStatus.DEAD, 3)}
    assert len(fakes.db.attempts) == 6


async def test_a_withdrawn_reading_is_not_sent(fakes: Fakes) -> None:
    reading_id = await accepted_bp(fakes)
    reading = fakes.db.readings[reading_id]
    fakes.db.readings[reading_id] = replace(reading, status=ReadingStatus.ENTERED_IN_ERROR)
    await push(fakes)(PushBatch("w1"))
    assert fakes.emr.observations == {}
    assert {i.status for i in fakes.db.outbox.values()} == {SyncStatus.DEAD}


async def test_an_adapter_bug_costs_an_attempt_not_the_worker(fakes: Fakes) -> None:
    await accepted_bp(fakes)

    async def broken(_: object) -> ObservationReceipt:
        raise KeyError("surprise")

    fakes.emr.create_observation = broken  # type: ignore[method-assign]
    results = await push(fakes)(PushBatch("w1"))
    assert {r.status for r in results} == {"retrying"}
    assert {i.last_error for i in fakes.db.outbox.values()} == {"unexpected KeyError"}


async def test_a_leased_item_is_not_claimed_twice(fakes: Fakes) -> None:
    await accepted_bp(fakes)
    async with fakes.uow as uow:
        claimed = await uow.outbox.claim_due([OutboxTopic.EMR_PUSH], NOW, 10, "other-worker", timedelta(minutes=1))
        await uow.commit()
    assert len(claimed) == 2
    assert await push(fakes)(PushBatch("w1")) == []
