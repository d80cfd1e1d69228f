"""Repository contract: a device's practice is stored, filters the inventory and survives contact (fake,
SQLite, Postgres)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from domain.ports import UnitOfWork
from tests.integration.builders import T0, device


async def test_the_inventory_of_one_practice_holds_its_devices_only(uow: UnitOfWork) -> None:
    north = [replace(device(), practice_id="north") for _ in range(3)]
    south, nobodys = replace(device(), practice_id="south"), replace(device(), registered_at=None)
    async with uow:
        for d in (*north, south, nobodys):
            await uow.devices.add(d)
        await uow.commit()
    async with uow:
        page, total = await uow.devices.list(1, 2, practice_id="north")
        everything, all_total = await uow.devices.list(0, 10)
        assert await uow.devices.get(south.id) == south
        assert await uow.devices.get(nobodys.id) == nobodys
    assert (list(page), total) == (sorted(north, key=lambda d: d.id)[1:3], 3)
    assert ({d.id for d in everything}, all_total) == ({d.id for d in (*north, south, nobodys)}, 5)


async def test_a_registered_devices_practice_survives_its_next_contact(uow: UnitOfWork) -> None:
    registered = replace(device(), practice_id="north")
    async with uow:
        await uow.devices.add(registered)
        await uow.commit()
    contact = replace(device(registered.gateway_device_id), last_seen_at=T0 + timedelta(days=3))
    async with uow:
        seen = await uow.devices.seen(contact)
        await uow.commit()
    assert (seen.id, seen.practice_id, seen.last_seen_at) == (registered.id, "north", T0 + timedelta(days=3))
