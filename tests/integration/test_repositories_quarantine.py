"""Repository contract: the quarantine by device slot — counts, first and last measured, practice and
device filters, latest first and paged (fake, SQLite, Postgres)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from domain.ports import UnitOfWork
from domain.quarantine import QuarantinedSlot
from domain.readings import ReadingStatus
from tests.integration.builders import EASTERN, T0, device, patient, reading

QUARANTINED = ReadingStatus.QUARANTINED


async def test_slots_count_their_quarantined_readings_latest_first_per_practice(uow: UnitOfWork) -> None:
    north, south, nobodys = (replace(device(), practice_id="north"), replace(device(), practice_id="south"),
                             replace(device(), registered_at=None))
    owner = patient()
    held = [
        reading(north.id, None, (T0 - timedelta(hours=3)).astimezone(EASTERN), status=QUARANTINED),
        reading(north.id, None, T0 - timedelta(hours=1), status=QUARANTINED),
        reading(north.id, None, T0 - timedelta(hours=2), status=QUARANTINED),
        reading(north.id, None, T0, slot="2", status=QUARANTINED),
        reading(south.id, None, T0 + timedelta(hours=1), status=QUARANTINED),
        reading(nobodys.id, None, T0 + timedelta(hours=2), status=QUARANTINED),
    ]
    async with uow:
        await uow.patients.add(owner)
        for d in (north, south, nobodys):
            await uow.devices.add(d)
        for r in held:
            assert await uow.readings.add_if_new(r)
        assert await uow.readings.add_if_new(reading(north.id, owner.id, T0 + timedelta(hours=5)))
        assert await uow.readings.add_if_new(
            reading(south.id, None, T0 + timedelta(hours=6), status=ReadingStatus.DISCARDED))
        await uow.commit()
    async with uow:
        everything, total = await uow.readings.quarantined_slots(0, 10)
        northern, northern_total = await uow.readings.quarantined_slots(0, 10, practice_id="north")
        second_page, _ = await uow.readings.quarantined_slots(1, 2)
        one_device, _ = await uow.readings.quarantined_slots(0, 10, device_id=south.id)
        nobody, none_total = await uow.readings.quarantined_slots(0, 10, practice_id="west")
    slot_one = QuarantinedSlot(north.id, "1", 3, T0 - timedelta(hours=3), T0 - timedelta(hours=1))
    slot_two = QuarantinedSlot(north.id, "2", 1, T0, T0)
    assert (list(northern), northern_total) == ([slot_two, slot_one], 2)
    assert [(s.device_id, s.user_slot) for s in everything] == [
        (nobodys.id, "1"), (south.id, "1"), (north.id, "2"), (north.id, "1")]
    assert total == 4
    assert [s.device_id for s in second_page] == [south.id, north.id]
    assert [(s.device_id, s.readings) for s in one_device] == [(south.id, 1)]
    assert (list(nobody), none_total) == ([], 0)


async def test_released_readings_leave_the_quarantine(uow: UnitOfWork) -> None:
    cuff, owner = replace(device(), practice_id="north"), patient()
    held = reading(cuff.id, None, T0, status=QUARANTINED)
    async with uow:
        await uow.patients.add(owner)
        await uow.devices.add(cuff)
        assert await uow.readings.add_if_new(held)
        await uow.commit()
    async with uow:
        await uow.readings.save(replace(held, status=ReadingStatus.ACCEPTED, patient_id=owner.id, reason=None))
        await uow.commit()
    async with uow:
        assert await uow.readings.quarantined_slots(0, 10) == ([], 0)
