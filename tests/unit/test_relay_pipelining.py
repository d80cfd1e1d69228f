"""The pipelined relay: a backlog costs one transaction per batch, and a failed one loses nothing."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from application.relay import RelayBatch
from application.relay_handler import Outcome
from domain.ports import UnitOfWork
from domain.sync import OutboxItem, SyncStatus
from tests.support.world import World
from tests.unit.conftest import NOW
from tests.unit.test_outbox_relay import LAB, LabOrderHandler, relay_of


class FailingRecordHandler(LabOrderHandler):
    """A lab topic whose own writes fail once: the transaction recording its batch is rolled back."""

    def __init__(self, *answers: Outcome) -> None:
        super().__init__(*answers)
        self.failures = 1

    async def record(self, uow: UnitOfWork, sent: Sequence[tuple[OutboxItem, Outcome]], now: datetime) -> None:
        if self.failures:
            self.failures -= 1
            raise RuntimeError("lost the database")
        await super().record(uow, sent, now)


async def lab_orders(world: World, count: int) -> list[str]:
    items = [OutboxItem(id=f"lab-{n}", topic=LAB, status=SyncStatus.PENDING, created_at=NOW, updated_at=NOW,
                        next_attempt_at=NOW, resource_type="LabOrder") for n in range(count)]
    async with world.uow as uow:
        await uow.outbox.add_many(items)
        await uow.commit()
    return [item.id for item in items]


async def test_a_backlog_records_each_batch_in_the_transaction_that_claims_the_one_after(world: World) -> None:
    ids = await lab_orders(world, 8)
    opened: list[int] = []
    handler = LabOrderHandler(*(Outcome.done(201) for _ in ids))
    relay = relay_of(world, handler, claims=opened)
    for _ in range(4):
        assert (await relay(RelayBatch("w1", limit=2, pipelined=True))).progress == 2
    assert len(opened) == 5  # the first claim, then one per batch: claim ahead + record the one before
    assert await relay.settle() is None
    assert {(i.status, i.attempts) for i in world.db.outbox.values()} == {(SyncStatus.DELIVERED, 1)}
    assert (len(world.db.attempts), len(world.db.leases)) == (8, 0)
    assert sorted(handler.recorded) == sorted((item_id, "delivered") for item_id in ids)
    assert sum(len(e.resource_ids) for e in world.audit.entries) == 2 * 8  # every item and its subject, once


async def test_a_failed_record_takes_its_claim_along_and_leaves_its_batch_leased_for_a_resend(
    world: World,
) -> None:
    ids = await lab_orders(world, 6)
    relay = relay_of(world, FailingRecordHandler(*(Outcome.done(201) for _ in ids)))
    first = await relay(RelayBatch("w1", limit=2, pipelined=True))  # lab-0, lab-1; lab-2, lab-3 claimed ahead
    second = await relay(RelayBatch("w1", limit=2, pipelined=True))  # recording lab-0, lab-1 fails meanwhile
    third = await relay(RelayBatch("w1", limit=2, pipelined=True))
    assert (first.unrecorded, second.unrecorded, third.unrecorded) == (None, None, "RuntimeError")
    assert third.results == ()  # the claim made with the failed record went with it
    delivered = {i.id for i in world.db.outbox.values() if i.status is SyncStatus.DELIVERED}
    assert delivered == {"lab-2", "lab-3"}  # sent in the second batch, recorded alone once nothing was claimed
    assert set(world.db.leases) == {"lab-0", "lab-1"}  # sent, not recorded: again once the lease ends
    assert await relay.settle() is None
    assert {i.id for i in world.db.outbox.values() if i.status is SyncStatus.PENDING} == {"lab-0", "lab-1",
                                                                                        "lab-4", "lab-5"}
