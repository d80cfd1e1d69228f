"""Repository contract, part 4: the claim is fair across practices, leaves the EMR items of practices without
room where they are, and takes no more of a practice's than its room (fake, SQLite, Postgres)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.sql.unit_of_work import SqlAlchemyUnitOfWork
from domain.ports import UnitOfWork
from domain.sync import OutboxItem, OutboxTopic
from tests.integration.builders import T0, outbox_item
from tests.integration.conftest import UowFactory

LEASE = timedelta(seconds=60)
TOPICS = [OutboxTopic.NOTIFY_ALERT, OutboxTopic.EMR_PUSH, OutboxTopic.EMR_WITHDRAW]
NOW = T0 + timedelta(hours=1)


def pushes(practice: str, count: int, start: int = 0) -> list[OutboxItem]:
    """`count` due pushes of a practice, a second apart from `start` seconds after T0."""
    return [outbox_item(due=T0 + timedelta(seconds=start + n), practice_id=practice) for n in range(count)]


async def stored(uow: UnitOfWork, items: list[OutboxItem]) -> None:
    async with uow:
        await uow.outbox.add_many(items)
        await uow.commit()


async def test_a_claim_takes_every_practices_first_item_then_every_ones_second(uow: UnitOfWork) -> None:
    backlog, steady, third = pushes("a", 30), pushes("b", 3, start=100), pushes("c", 1, start=200)
    await stored(uow, [*backlog, *steady, *third])
    async with uow:
        claimed = await uow.outbox.claim_due(TOPICS, NOW, 8, "worker-a", LEASE)
        await uow.commit()
    # rounds: a, b, c by due time; then a, b; then a, b; then a (the older backlog fills what is left)
    assert list(claimed) == [backlog[0], steady[0], third[0], backlog[1], steady[1], backlog[2], steady[2],
                             backlog[3]]


async def test_within_a_practice_earlier_topics_come_first_and_alerts_lead_every_round(uow: UnitOfWork) -> None:
    old_push = outbox_item(due=T0, practice_id="a")
    alert_a = outbox_item(due=NOW, topic=OutboxTopic.NOTIFY_ALERT, code=None, practice_id="a")
    withdrawal_b = outbox_item(due=T0, topic=OutboxTopic.EMR_WITHDRAW, practice_id="b")
    push_b = outbox_item(due=NOW, practice_id="b")
    nobodys = outbox_item(due=T0 + timedelta(seconds=5), topic="lab.order", code=None)  # no practice: a group too
    await stored(uow, [old_push, alert_a, withdrawal_b, push_b, nobodys])
    async with uow:
        claimed = await uow.outbox.claim_due([*TOPICS, "lab.order"], NOW, 10, "worker-a", LEASE)
        await uow.commit()
    assert list(claimed) == [alert_a, push_b, nobodys, old_push, withdrawal_b]


async def test_resting_practices_emr_items_stay_but_their_alerts_and_others_items_go(uow: UnitOfWork) -> None:
    resting_push, resting_withdrawal = pushes("a", 1)[0], outbox_item(topic=OutboxTopic.EMR_WITHDRAW, practice_id="a")
    alert = outbox_item(due=NOW, topic=OutboxTopic.NOTIFY_ALERT, code=None, practice_id="a")
    others = pushes("b", 2, start=10)
    await stored(uow, [resting_push, resting_withdrawal, alert, *others])
    resting = {OutboxTopic.EMR_PUSH.value: {"a": 0}, OutboxTopic.EMR_WITHDRAW.value: {"a": 0, "z": 0}}
    async with uow:
        claimed = await uow.outbox.claim_due(TOPICS, NOW, 10, "worker-a", LEASE, resting)
        awake = await uow.outbox.claim_due(TOPICS, NOW, 10, "worker-a", LEASE)  # rested: the next claim takes them
        await uow.commit()
    assert list(claimed) == [alert, others[0], others[1]]
    assert list(awake) == [resting_push, resting_withdrawal]


async def test_a_practice_with_little_room_gives_only_its_first_items_of_each_topic(uow: UnitOfWork) -> None:
    trying, others = pushes("a", 6), pushes("b", 3, start=10)
    withdrawals = [outbox_item(due=T0 + timedelta(seconds=n), topic=OutboxTopic.EMR_WITHDRAW, practice_id="a")
                   for n in range(3)]
    alert = outbox_item(due=NOW, topic=OutboxTopic.NOTIFY_ALERT, code=None, practice_id="a")
    await stored(uow, [*trying, *withdrawals, alert, *others])
    room = {OutboxTopic.EMR_PUSH.value: {"a": 2, "b": 5}, OutboxTopic.EMR_WITHDRAW.value: {"a": 1}}
    async with uow:
        claimed = await uow.outbox.claim_due(TOPICS, NOW, 20, "worker-a", LEASE, room)
        await uow.commit()
    # a: its alert (no room asked), its first two pushes, its first withdrawal; b: all three (room for five)
    assert list(claimed) == [alert, others[0], trying[0], others[1], trying[1], others[2], withdrawals[0]]


async def test_a_second_claimer_shares_fairly_what_the_first_left(new_uow: UowFactory) -> None:
    backlog, steady = pushes("a", 6), pushes("b", 2, start=100)
    await stored(new_uow(), [*backlog, *steady])
    async with new_uow() as worker_a:
        first = await worker_a.outbox.claim_due(TOPICS, NOW, 3, "worker-a", LEASE)
        await worker_a.commit()
    async with new_uow() as worker_b:
        second = await worker_b.outbox.claim_due(TOPICS, NOW, 3, "worker-b", LEASE)
        await worker_b.commit()
    assert list(first) == [backlog[0], steady[0], backlog[1]]
    assert list(second) == [backlog[2], steady[1], backlog[3]]


@pytest.mark.postgres
async def test_concurrent_claimers_on_postgres_each_take_a_full_batch_in_fair_order(
    postgres_url: str, engine_factory: Callable[[str], AsyncEngine],
) -> None:
    engine = engine_factory(postgres_url)
    backlog, steady = pushes("a", 40), pushes("b", 4, start=100)
    await stored(SqlAlchemyUnitOfWork(engine), [*backlog, *steady])
    async with SqlAlchemyUnitOfWork(engine) as first, SqlAlchemyUnitOfWork(engine) as second:
        held = await first.outbox.claim_due(TOPICS, NOW, 4, "worker-a", LEASE)  # not committed: rows locked
        skipped = await second.outbox.claim_due(TOPICS, NOW, 4, "worker-b", LEASE)
        await second.commit()
        await first.commit()
    assert list(held) == [backlog[0], steady[0], backlog[1], steady[1]]
    assert list(skipped) == [backlog[2], steady[2], backlog[3], steady[3]]  # the next in the same fair order
