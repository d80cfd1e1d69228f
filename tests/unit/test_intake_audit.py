"""A page's audit entries commit with the page: a page that fails to commit leaves neither."""

from __future__ import annotations

from datetime import timedelta

import pytest

from adapters.fakes.unit_of_work import FakeUnitOfWork
from application.take_in_deliveries import Arrival, TakeInDeliveries, TakeInDeliveriesCommand
from domain.deliveries import IncomingDelivery, Malformed
from tests.support.world import World
from tests.unit.conftest import NOW, bp
from tests.unit.test_record_reading import BODY, assign_cuff, take_in


class RefusedCommit(FakeUnitOfWork):
    """A unit of work whose commit the database refuses (as a deferred constraint would)."""

    async def commit(self) -> None:
        raise RuntimeError("commit refused")


def arrivals() -> list[Arrival]:
    return [Arrival(IncomingDelivery("mioconnect", "msg_1", BODY, bp(at=NOW - timedelta(hours=1)))),
            Arrival(IncomingDelivery("mioconnect", "msg_2", BODY, Malformed("body is not JSON")))]


def delivery_entries(world: World) -> list[tuple[str, str]]:
    return [(e.resource_ids[0], e.details["status"]) for e in world.audit.entries if e.action == "webhook.delivery"]


async def test_a_page_whose_commit_fails_leaves_no_audit_entry() -> None:
    world = World()
    await assign_cuff(world)
    refused = TakeInDeliveries(RefusedCommit(world.store, world.audit), world.clock, world.ids, world.auditor,
                               world.triage)
    with pytest.raises(RuntimeError):
        await refused(TakeInDeliveriesCommand(arrivals()))
    assert (delivery_entries(world), world.db.deliveries) == ([], {})


async def test_each_delivery_of_a_committed_page_has_one_entry_naming_its_outcome() -> None:
    world = World()
    await assign_cuff(world)
    outcomes = await take_in(world)(TakeInDeliveriesCommand(arrivals()))
    assert delivery_entries(world) == [(o.delivery_id, o.status.value) for o in outcomes]
    assert {status for _, status in delivery_entries(world)} == {"accepted", "rejected"}
