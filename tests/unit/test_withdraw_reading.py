"""Withdrawing a misattributed reading: entered-in-error here, then in the EMR, never before a push lands."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import timedelta

import pytest

from application.context import Actor
from application.relay import RelayBatch
from application.withdraw_observations import EmrWithdrawHandler
from application.withdraw_reading import WithdrawReading, WithdrawReadingCommand
from domain.errors import Conflict, NotFound
from domain.events import OutboxItemSent
from domain.ports.emr import EmrUnavailable
from domain.readings import ReadingStatus
from domain.sync import OutboxTopic, SyncStatus
from tests.support.world import World
from tests.unit.test_send_observations import accepted_bp, push, relay, relayed

NURSE = Actor("user-1", "req-1")


def withdraw(world: World) -> WithdrawReading:
    return WithdrawReading(world.uow, world.clock, world.ids, world.auditor)


def send_withdrawals(world: World) -> Callable[[RelayBatch], Awaitable[list[OutboxItemSent]]]:
    """A relay of EMR withdrawals only."""
    return relayed(relay(world, EmrWithdrawHandler(world.emr_directory)))


def withdrawals(world: World) -> list[SyncStatus]:
    return [i.status for i in world.db.outbox.values() if i.topic == OutboxTopic.EMR_WITHDRAW]


async def test_a_delivered_reading_is_withdrawn_in_the_emr(world: World) -> None:
    reading_id = await accepted_bp(world)
    await push(world)(RelayBatch("w1"))
    event = await withdraw(world)(WithdrawReadingCommand(reading_id, NURSE))
    assert len(event.withdrawals) == 2
    assert not event.already
    assert world.db.readings[reading_id].status is ReadingStatus.ENTERED_IN_ERROR
    results = await send_withdrawals(world)(RelayBatch("w1"))
    assert {(r.status, r.http_status) for r in results} == {("delivered", 200)}
    assert world.emr.withdrawn == {f"{reading_id}-85354-9", f"{reading_id}-8867-4"}
    assert ("reading.withdraw", NURSE.id) in {(e.action, e.actor) for e in world.audit.entries}


async def test_withdrawing_twice_queues_nothing_more(world: World) -> None:
    reading_id = await accepted_bp(world)
    await withdraw(world)(WithdrawReadingCommand(reading_id, NURSE))
    again = await withdraw(world)(WithdrawReadingCommand(reading_id, NURSE))
    assert again.already
    assert again.withdrawals == ()
    assert len(withdrawals(world)) == 2


async def test_a_withdrawal_waits_for_a_push_still_under_way(world: World) -> None:
    reading_id = await accepted_bp(world)
    await withdraw(world)(WithdrawReadingCommand(reading_id, NURSE))
    waiting = await send_withdrawals(world)(RelayBatch("w1"))
    assert {r.status for r in waiting} == {"pending"}  # the pushes are still pending
    assert world.emr.withdrawn == set()
    await push(world)(RelayBatch("w1"))  # the pushes find the reading withdrawn: never sent
    assert world.emr.observations == {}
    world.clock.advance(timedelta(seconds=6))
    done = await send_withdrawals(world)(RelayBatch("w1"))
    assert {(r.status, r.http_status) for r in done} == {("delivered", None)}  # nothing in the EMR to withdraw


async def test_an_emr_outage_retries_the_withdrawal(world: World) -> None:
    reading_id = await accepted_bp(world)
    await push(world)(RelayBatch("w1"))
    await withdraw(world)(WithdrawReadingCommand(reading_id, NURSE))
    world.emr.fail_next(EmrUnavailable("busy", http_status=503, retry_after=30))
    first = await send_withdrawals(world)(RelayBatch("w1", limit=1))
    assert [r.status for r in first] == ["retrying"]
    world.clock.advance(timedelta(seconds=31))
    await send_withdrawals(world)(RelayBatch("w1"))
    assert withdrawals(world) == [SyncStatus.DELIVERED, SyncStatus.DELIVERED]
    assert len(world.emr.withdrawn) == 2


async def test_only_accepted_readings_can_be_withdrawn(world: World) -> None:
    with pytest.raises(NotFound):
        await withdraw(world)(WithdrawReadingCommand("no-such-reading", NURSE))
    reading_id = await accepted_bp(world)
    stored = world.db.readings[reading_id]
    world.db.readings[reading_id] = replace(stored, status=ReadingStatus.DISCARDED)
    with pytest.raises(Conflict):
        await withdraw(world)(WithdrawReadingCommand(reading_id, NURSE))
