"""Repository contract, part 5: each practice's EMR delivery health and backlog (fake, SQLite, Postgres)."""

from __future__ import annotations

from datetime import timedelta

from domain.delivery_health import ConnectionHealth, DeliveryMark
from domain.ports import UnitOfWork
from domain.sync import OutboxTopic, SyncStatus
from tests.integration.builders import T0, outbox_item

LATER = T0 + timedelta(minutes=5)


async def test_marks_move_forward_only_and_a_failures_reason_goes_with_its_time(uow: UnitOfWork) -> None:
    async with uow:
        await uow.delivery_health.note([DeliveryMark("a", failed_at=LATER, failure="EMR unavailable (HTTP 503)",
                                                     failure_http_status=503),
                                        DeliveryMark("b", succeeded_at=T0)])
        await uow.commit()
    async with uow:  # a batch recorded late (another worker's, from before) changes nothing it has seen later
        await uow.delivery_health.note([DeliveryMark("a", succeeded_at=T0, failed_at=T0, failure="old refusal",
                                                     failure_http_status=401),
                                        DeliveryMark("b", succeeded_at=LATER, failed_at=T0, failure="timeout")])
        await uow.commit()
    async with uow:
        report = await uow.delivery_health.report()
    assert list(report) == [
        ConnectionHealth("a", last_success_at=T0, last_failure_at=LATER, last_failure="EMR unavailable (HTTP 503)",
                         last_failure_http_status=503),
        ConnectionHealth("b", last_success_at=LATER, last_failure_at=T0, last_failure="timeout"),
    ]


async def test_the_backlog_counts_each_practices_waiting_emr_items_and_one_practice_can_be_asked(
    uow: UnitOfWork,
) -> None:
    waiting = [outbox_item(practice_id="a"), outbox_item(practice_id="a", status=SyncStatus.RETRYING),
               outbox_item(practice_id="c", topic=OutboxTopic.EMR_WITHDRAW)]
    not_waiting = [outbox_item(practice_id="a", status=SyncStatus.DELIVERED),
                   outbox_item(practice_id="a", status=SyncStatus.DEAD),
                   outbox_item(practice_id="d", topic=OutboxTopic.NOTIFY_ALERT, code=None),  # not the EMR's
                   outbox_item()]  # nobody's practice
    async with uow:
        await uow.outbox.add_many([*waiting, *not_waiting])
        await uow.delivery_health.note([DeliveryMark("b", succeeded_at=T0)])
        await uow.commit()
    async with uow:
        everyone = await uow.delivery_health.report()
        only_a = await uow.delivery_health.report("a")
        only_b = await uow.delivery_health.report("b")
        unknown = await uow.delivery_health.report("z")
    assert [(h.practice_id, h.backlog, h.last_success_at) for h in everyone] == [
        ("a", 2, None), ("b", 0, T0), ("c", 1, None)]
    assert (list(only_a), list(only_b), list(unknown)) == ([ConnectionHealth("a", backlog=2)],
                                                           [ConnectionHealth("b", last_success_at=T0)], [])


async def test_two_notes_in_one_transaction_both_count(uow: UnitOfWork) -> None:
    async with uow:  # on Postgres both wait for the commit: the same practice's row is changed twice
        await uow.delivery_health.note([DeliveryMark("a", succeeded_at=T0)])
        await uow.delivery_health.note([DeliveryMark("a", failed_at=LATER, failure="timeout")])
        await uow.commit()
    async with uow:
        report = await uow.delivery_health.report()
    assert list(report) == [ConnectionHealth("a", last_success_at=T0, last_failure_at=LATER, last_failure="timeout")]
