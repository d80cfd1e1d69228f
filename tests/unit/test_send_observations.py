"""The relay's EMR create topic: each Observation reaches the EMR once; failures retry or go dead, all recorded."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import timedelta

from application.relay import OutboxRelay, RelayBatch
from application.relay_handler import TopicHandler
from application.send_observations import EmrCreateHandler
from domain.events import OutboxItemSent
from domain.ports.emr import EmrRejected, EmrUnavailable, ObservationReceipt
from domain.readings import ReadingStatus
from domain.sync import OutboxTopic, RetryPolicy, SyncStatus
from tests.support.world import World
from tests.unit.conftest import NOW, bp
from tests.unit.test_record_reading import assign_cuff, record

POLICY = RetryPolicy(base_delay=timedelta(seconds=2), max_delay=timedelta(minutes=15), max_attempts=3)


def relay(world: World, *handlers: TopicHandler) -> OutboxRelay:
    return OutboxRelay(lambda: world.uow, handlers, world.clock, world.ids, world.random, POLICY, world.auditor)


def relayed(relay: OutboxRelay) -> Callable[[RelayBatch], Awaitable[list[OutboxItemSent]]]:
    async def run(batch: RelayBatch) -> list[OutboxItemSent]:
        return list((await relay(batch)).results)
    return run


def push(world: World) -> Callable[[RelayBatch], Awaitable[list[OutboxItemSent]]]:
    """A relay of EMR creates only."""
    return relayed(relay(world, EmrCreateHandler(world.emr_directory)))


async def accepted_bp(world: World) -> str:
    await assign_cuff(world)
    event = await record(world, bp())
    return event.reading_id or ""


async def test_pending_pushes_are_delivered_and_attempts_recorded(world: World) -> None:
    reading_id = await accepted_bp(world)
    results = await push(world)(RelayBatch("w1"))
    assert sorted(r.http_status or 0 for r in results) == [201, 201]
    assert sorted(world.emr.observations) == [f"{reading_id}-85354-9", f"{reading_id}-8867-4"]
    items = list(world.db.outbox.values())
    assert {(i.status, i.attempts) for i in items} == {(SyncStatus.DELIVERED, 1)}
    assert {i.external_id for i in items} == {o.emr_resource_id for o in world.emr.observations.values()}
    assert len(world.db.attempts) == 2
    assert await push(world)(RelayBatch("w1")) == []


async def test_an_observation_already_in_the_emr_counts_as_delivered(world: World) -> None:
    await accepted_bp(world)
    await push(world)(RelayBatch("w1"))
    for item in list(world.db.outbox.values()):  # as if a crash lost our record of the first push
        world.db.outbox[item.id] = replace(item, status=SyncStatus.PENDING)
    results = await push(world)(RelayBatch("w1"))
    assert {r.http_status for r in results} == {200}
    assert len(world.emr.observations) == 2


async def test_an_outage_retries_after_retry_after_then_delivers_once(world: World) -> None:
    await accepted_bp(world)
    busy = EmrUnavailable("busy", http_status=429, retry_after=60)
    world.emr.fail_next(busy, busy)
    first = await push(world)(RelayBatch("w1"))
    assert {r.status for r in first} == {"retrying"}
    assert {i.next_attempt_at for i in world.db.outbox.values()} == {NOW + timedelta(seconds=60)}
    world.clock.advance(timedelta(seconds=30))
    assert await push(world)(RelayBatch("w1")) == []  # not due yet
    world.clock.advance(timedelta(seconds=31))
    second = await push(world)(RelayBatch("w1"))
    assert {r.status for r in second} == {"delivered"}
    assert len(world.emr.observations) == 2
    assert {i.attempts for i in world.db.outbox.values()} == {2}


async def test_a_refusal_is_dead_with_the_emrs_reason(world: World) -> None:
    await accepted_bp(world)
    world.emr.fail_next(EmrRejected("Observation.code: unknown system", http_status=422))
    await push(world)(RelayBatch("w1", limit=1))
    dead = [i for i in world.db.outbox.values() if i.status is SyncStatus.DEAD]
    assert [(i.http_status, i.last_error) for i in dead] == [(422, "Observation.code: unknown system")]


async def test_attempts_run_out_into_dead(world: World) -> None:
    await accepted_bp(world)
    world.emr.down = True
    for _ in range(POLICY.max_attempts):
        await push(world)(RelayBatch("w1"))
        world.clock.advance(timedelta(minutes=20))
    assert {(i.status, i.attempts) for i in world.db.outbox.values()} == {(SyncStatus.DEAD, 3)}
    assert len(world.db.attempts) == 6


async def test_a_withdrawn_reading_is_not_sent(world: World) -> None:
    reading_id = await accepted_bp(world)
    reading = world.db.readings[reading_id]
    world.db.readings[reading_id] = replace(reading, status=ReadingStatus.ENTERED_IN_ERROR)
    await push(world)(RelayBatch("w1"))
    assert world.emr.observations == {}
    assert {i.status for i in world.db.outbox.values()} == {SyncStatus.DEAD}


async def test_an_adapter_bug_costs_an_attempt_not_the_worker(world: World) -> None:
    await accepted_bp(world)

    async def broken(_: object) -> ObservationReceipt:
        raise KeyError("surprise")

    world.emr.create_observation = broken  # type: ignore[method-assign]
    results = await push(world)(RelayBatch("w1"))
    assert {r.status for r in results} == {"retrying"}
    assert {i.last_error for i in world.db.outbox.values()} == {"unexpected KeyError"}


async def test_a_leased_item_is_not_claimed_twice(world: World) -> None:
    await accepted_bp(world)
    async with world.uow as uow:
        claimed = await uow.outbox.claim_due([OutboxTopic.EMR_PUSH], NOW, 10, "other-worker", timedelta(minutes=1))
        await uow.commit()
    assert len(claimed) == 2
    assert await push(world)(RelayBatch("w1")) == []
