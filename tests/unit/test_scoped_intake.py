"""The composition's intake for pages side by side: each page in a unit of work of its own, taken in again
when the database aborted its transaction to break a deadlock, and only then."""

from __future__ import annotations

import asyncpg
import pytest
from dishka import AsyncContainer, Provider, Scope

from adapters.fakes.audit import FakeAuditLog
from adapters.fakes.store import InMemoryStore
from adapters.fakes.unit_of_work import FakeUnitOfWork
from application.take_in_deliveries import Arrival, PageIntake, TakeInDeliveriesCommand
from domain.deliveries import DeliveryStatus, IncomingDelivery, Malformed
from domain.ports import UnitOfWork
from entrypoints.container import build_container
from entrypoints.http.group_commit import GroupCommit
from entrypoints.intake_wiring import ATTEMPTS
from tests.support.app import settings_for_tests
from tests.support.world import FakesProvider, World

PAGE = TakeInDeliveriesCommand([Arrival(IncomingDelivery("mioconnect", "msg_1", b"{", Malformed("not JSON")))])


class RefusingUnitOfWork(FakeUnitOfWork):
    """Its commits fail with the errors left in `refusals`, one each, then succeed."""

    def __init__(self, store: InMemoryStore, audit: FakeAuditLog, refusals: list[Exception]) -> None:
        super().__init__(store, audit)
        self._refusals = refusals

    async def commit(self) -> None:
        if self._refusals:
            raise self._refusals.pop(0)
        await super().commit()


def _container(world: World, refusals: list[Exception]) -> AsyncContainer:
    refusing = Provider(scope=Scope.REQUEST)
    refusing.provide(lambda: RefusingUnitOfWork(world.store, world.audit, refusals), provides=UnitOfWork,
                     override=True)
    return build_container(settings_for_tests(), FakesProvider(world), refusing)


async def test_a_page_aborted_to_break_a_deadlock_is_taken_in_again_and_kept_once() -> None:
    world = World()
    container = _container(world, [asyncpg.exceptions.DeadlockDetectedError("deadlock detected")])
    try:
        outcomes = await (await container.get(PageIntake))(PAGE)
    finally:
        await container.close()
    assert [o.status for o in outcomes] == [DeliveryStatus.REJECTED]
    assert (world.store.commits, len(world.db.deliveries)) == (1, 1)


@pytest.mark.parametrize("refusals", [
    [RuntimeError("a row the database refused")],
    [asyncpg.exceptions.SerializationError("could not serialize")] * ATTEMPTS,
], ids=["other error", "conflict every time"])
async def test_other_errors_and_conflicts_past_the_attempts_fail_the_page(refusals: list[Exception]) -> None:
    world = World()
    container = _container(world, list(refusals))
    try:
        with pytest.raises(type(refusals[0])):
            await (await container.get(PageIntake))(PAGE)
    finally:
        await container.close()
    assert (world.store.commits, len(world.db.deliveries)) == (0, 0)


async def test_a_webhook_page_aborted_to_break_a_deadlock_is_taken_in_again_not_failed() -> None:
    """The group commit's pages go through the same intake: a deadlock is not a bad delivery to halve and keep."""
    world = World()
    container = _container(world, [asyncpg.exceptions.DeadlockDetectedError("deadlock detected")])
    try:
        outcome = await (await container.get(GroupCommit)).take_in(PAGE.arrivals[0])
    finally:
        await container.close()
    assert outcome.status is DeliveryStatus.REJECTED
    assert (world.store.commits, len(world.db.deliveries), len(world.db.failed_deliveries)) == (1, 1, 0)
