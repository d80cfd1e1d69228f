"""Withdrawing a misattributed reading: entered-in-error here, then in the EMR, never before a push lands."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import timedelta

import pytest

from application.context import Actor
from application.push_withdrawals import EmrWithdrawHandler
from application.relay import RelayBatch as PushBatch
from application.withdraw_reading import WithdrawReading, WithdrawReadingCommand
from domain.errors import Conflict, NotFound
from domain.events import ObservationPushed
from domain.ports.emr import EmrUnavailable
from domain.readings import ReadingStatus
from domain.sync import OutboxTopic, SyncStatus
from tests.unit.conftest import Fakes
from tests.unit.test_push_observations import accepted_bp, push, relay, relayed

NURSE = Actor("user-1", "req-1")


def withdraw(fakes: Fakes) -> WithdrawReading:
    return WithdrawReading(fakes.uow, fakes.clock, fakes.ids, fakes.auditor)


def push_withdrawals(fakes: Fakes) -> Callable[[PushBatch], Awaitable[list[ObservationPushed]]]:
    """A relay of EMR withdrawals only."""
    return relayed(relay(fakes, EmrWithdrawHandler(fakes.emr)))


def withdrawals(fakes: Fakes) -> list[SyncStatus]:
    return [i.status for i in fakes.db.outbox.values() if i.topic == OutboxTopic.EMR_WITHDRAW]


async def test_a_delivered_reading_is_withdrawn_in_the_emr(fakes: Fakes) -> None:
    reading_id = await accepted_bp(fakes)
    await push(fakes)(PushBatch("w1"))
    event = await withdraw(fakes)(WithdrawReadingCommand(reading_id, NURSE))
    assert len(event.withdrawals) == 2
    assert not event.already
    assert fakes.db.readings[reading_id].status is ReadingStatus.ENTERED_IN_ERROR
    results = await push_withdrawals(fakes)(PushBatch("w1"))
    assert {(r.status, r.http_status) for r in results} == {("delivered", 200)}
    assert fakes.emr.withdrawn == {f"{reading_id}-85354-9", f"{reading_id}-8867-4"}
    assert ("reading.withdraw", NURSE.id) in {(e.action, e.actor) for e in fakes.audit.entries}


async def test_withdrawing_twice_queues_nothing_more(fakes: Fakes) -> None:
    reading_id = await accepted_bp(fakes)
    await withdraw(fakes)(WithdrawReadingCommand(reading_id, NURSE))
    again = await withdraw(fakes)(WithdrawReadingCommand(reading_id, NURSE))
    assert again.already
    assert again.withdrawals == ()
    assert len(withdrawals(fakes)) == 2


async def test_a_withdrawal_waits_for_a_push_still_under_way(fakes: Fakes) -> None:
    reading_id = await accepted_bp(fakes)
    await withdraw(fakes)(WithdrawReadingCommand(reading_id, NURSE))
    waiting = await push_withdrawals(fakes)(PushBatch("w1"))
    assert {r.status for r in waiting} == {"pending"}  # the pushes are still pending
    assert fakes.emr.withdrawn == set()
    await push(fakes)(PushBatch("w1"))  # the pushes find the reading withdrawn: never sent
    assert fakes.emr.observations == {}
    fakes.clock.advance(timedelta(seconds=6))
    done = await push_withdrawals(fakes)(PushBatch("w1"))
    assert {(r.status, r.http_status) for r in done} == {("delivered", None)}  # nothing in the EMR to withdraw


async def test_an_emr_outage_retries_the_withdrawal(fakes: Fakes) -> None:
    reading_id = await accepted_bp(fakes)
    await push(fakes)(PushBatch("w1"))
    await withdraw(fakes)(WithdrawReadingCommand(reading_id, NURSE))
    fakes.emr.fail_next(EmrUnavailable("busy", http_status=503, retry_after=30))
    first = await push_withdrawals(fakes)(PushBatch("w1", limit=1))
    assert [r.status for r in first] == ["retrying"]
    fakes.clock.advance(timedelta(seconds=31))
    await push_withdrawals(fakes)(PushBatch("w1"))
    assert withdrawals(fakes) == [SyncStatus.DELIVERED, SyncStatus.DELIVERED]
    assert len(fakes.emr.withdrawn) == 2


async def test_only_accepted_readings_can_be_withdrawn(fakes: Fakes) -> None:
    with pytest.raises(NotFound):
        await withdraw(fakes)(WithdrawReadingCommand("no-such-reading", NURSE))
    reading_id = await accepted_bp(fakes)
    stored = fakes.db.readings[reading_id]
    fakes.db.readings[reading_id] = replace(stored, status=ReadingStatus.DISCARDED)
    with pytest.raises(Conflict):
        await withdraw(fakes)(WithdrawReadingCommand(reading_id, NURSE))
