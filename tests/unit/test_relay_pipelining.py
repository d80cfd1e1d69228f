"""The pipelined relay's sliding window: `limit` sends in flight while items are due, a slow send holding back
no other, what finished recorded with the next claim, and a failed record losing nothing."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from datetime import datetime

from application.relay import OutboxRelay, RelayBatch
from application.relay_handler import Outcome
from domain.ports import UnitOfWork
from domain.sync import OutboxItem, SyncStatus
from tests.support.world import World
from tests.unit.conftest import NOW
from tests.unit.test_outbox_relay import LAB, LabOrderHandler, relay_of


class FailingRecordHandler(LabOrderHandler):
    """A lab topic whose own writes fail once: the transaction recording its sends is rolled back."""

    def __init__(self, *answers: Outcome) -> None:
        super().__init__(*answers)
        self.failures = 1

    async def record(self, uow: UnitOfWork, sent: Sequence[tuple[OutboxItem, Outcome]], now: datetime) -> None:
        if self.failures:
            self.failures -= 1
            raise RuntimeError("lost the database")
        await super().record(uow, sent, now)


class GatedLabHandler(LabOrderHandler):
    """Every send takes a few turns of the loop; the items named in `held` wait until `release` is set."""

    def __init__(self, count: int, held: frozenset[str] = frozenset()) -> None:
        super().__init__(*(Outcome.done(201) for _ in range(count)))
        self.held, self.release = held, asyncio.Event()
        self.running = self.most = 0

    async def send(self, item: OutboxItem, prepared: object | None) -> Outcome:
        self.running += 1
        self.most = max(self.most, self.running)
        try:
            for _ in range(3):
                await asyncio.sleep(0)
            if item.id in self.held:
                await self.release.wait()
            return await super().send(item, prepared)
        finally:
            self.running -= 1


async def lab_orders(world: World, count: int) -> list[str]:
    items = [OutboxItem(id=f"lab-{n}", topic=LAB, status=SyncStatus.PENDING, created_at=NOW, updated_at=NOW,
                        next_attempt_at=NOW, resource_type="LabOrder") for n in range(count)]
    async with world.uow as uow:
        await uow.outbox.add_many(items)
        await uow.commit()
    return [item.id for item in items]


async def turns_until(relay: OutboxRelay, done: Callable[[], bool], most: int = 50) -> None:
    """Pipelined calls of a window of two (as the worker makes them) until `done()` holds."""
    for _ in range(most):
        await relay(RelayBatch("w1", limit=2, pipelined=True))
        if done():
            return


def delivered(world: World) -> set[str]:
    return {i.id for i in world.db.outbox.values() if i.status is SyncStatus.DELIVERED}


async def test_a_backlog_keeps_the_window_full_and_records_sends_with_the_next_claim(world: World) -> None:
    ids = await lab_orders(world, 12)
    opened: list[int] = []
    handler = GatedLabHandler(len(ids))
    relay = relay_of(world, handler, claims=opened)
    await turns_until(relay, lambda: len(delivered(world)) >= 8)
    assert await relay.settle() is None
    assert handler.most == 2  # the window: never more than `limit` at once, and full
    assert {(i.status, i.attempts) for i in world.db.outbox.values()} == {(SyncStatus.DELIVERED, 1)}
    assert (len(world.db.attempts), len(world.db.leases)) == (12, 0)
    assert len(opened) < len(ids)  # a transaction per claim (recording what finished), not per item
    assert sorted(handler.recorded) == sorted((item_id, "delivered") for item_id in ids)
    assert sum(len(e.resource_ids) for e in world.audit.entries) == 2 * 12  # every item and its subject, once


async def test_a_slow_send_holds_back_no_item_claimed_after_it(world: World) -> None:
    ids = await lab_orders(world, 6)
    handler = GatedLabHandler(len(ids), held=frozenset({"lab-0"}))
    relay = relay_of(world, handler)
    await turns_until(relay, lambda: len(delivered(world)) == 5)
    assert delivered(world) == set(ids) - {"lab-0"}  # sent and recorded one after another beside the slow one
    assert set(world.db.leases) == {"lab-0"}
    handler.release.set()
    assert await relay.settle() is None
    assert delivered(world) == set(ids)
    assert not world.db.leases


async def test_a_failed_record_takes_its_claim_along_and_leaves_its_sends_leased_for_a_resend(
    world: World,
) -> None:
    ids = await lab_orders(world, 9)
    relay = relay_of(world, FailingRecordHandler(*(Outcome.done(201) for _ in ids)))
    first = await relay(RelayBatch("w1", limit=2, pipelined=True))  # lab-0..5 claimed, two sent at once
    assert (first.results, first.under_way) == ((), 6)
    second = await relay(RelayBatch("w1", limit=2, pipelined=True))  # recording what finished fails
    assert (second.unrecorded, second.results) == ("RuntimeError", ())
    unrecorded = set(world.db.leases)
    assert unrecorded  # sent, not recorded: leased still
    assert unrecorded <= {f"lab-{n}" for n in range(6)}
    assert all(world.db.outbox[i].status is SyncStatus.PENDING for i in unrecorded)
    await turns_until(relay, lambda: len(delivered(world)) == len(ids) - len(unrecorded))
    assert await relay.settle() is None
    assert delivered(world) == set(ids) - unrecorded  # the rest went on; those are sent again once leases end
    assert set(world.db.leases) == unrecorded
