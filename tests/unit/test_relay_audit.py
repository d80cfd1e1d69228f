"""The relay's audit entries are written in the transaction that records the sends they describe."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Self

import pytest

from adapters.fakes.unit_of_work import FakeUnitOfWork
from application.relay import OutboxRelay, RelayBatch
from application.relay_handler import Outcome
from domain.audit import AuditEntry
from domain.ports import UnitOfWork
from domain.sync import SyncStatus
from tests.support.world import World
from tests.unit.test_outbox_relay import POLICY, LabOrderHandler
from tests.unit.test_relay_pipelining import lab_orders


class AuditRefused(FakeUnitOfWork):
    """A unit of work whose audit entries the database refuses (a full disk, a lost connection)."""

    async def __aenter__(self) -> Self:
        entered = await super().__aenter__()
        entered.audit = _RefusingAudit()  # type: ignore[assignment]
        return entered


class _RefusingAudit:
    async def append_many(self, entries: Sequence[AuditEntry]) -> None:
        raise RuntimeError("audit write refused")


def relay_entries(world: World) -> list[tuple[str, ...]]:
    return [e.resource_ids for e in world.audit.entries if e.action == LabOrderHandler.audit_action]


def relay_with(world: World, units: Iterator[FakeUnitOfWork]) -> OutboxRelay:
    def next_unit() -> UnitOfWork:
        return next(units)

    return OutboxRelay(next_unit, [LabOrderHandler(Outcome.done(201), Outcome.done(201))],  # type: ignore[arg-type, list-item]
                       world.clock, world.ids, world.random, POLICY, world.auditor)


async def test_sends_whose_audit_entry_cannot_be_written_are_not_recorded_either(world: World) -> None:
    ids = await lab_orders(world, 2)
    claim, record = FakeUnitOfWork(world.store, world.audit), AuditRefused(world.store, world.audit)
    with pytest.raises(RuntimeError, match="audit write refused"):
        await relay_with(world, iter([claim, record]))(RelayBatch("w1", limit=2))
    assert relay_entries(world) == []
    assert all(world.db.outbox[i].status is SyncStatus.PENDING for i in ids)  # leased: sent again later


async def test_recorded_sends_have_their_audit_entry(world: World) -> None:
    ids = await lab_orders(world, 2)
    units = iter([FakeUnitOfWork(world.store, world.audit), FakeUnitOfWork(world.store, world.audit)])
    await relay_with(world, units)(RelayBatch("w1", limit=2))
    assert relay_entries(world) == [(ids[0], "", ids[1], "")]  # each item and its subject (none for a lab order)
