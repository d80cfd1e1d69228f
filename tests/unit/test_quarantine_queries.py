"""QuarantineQueries and the assignable patients: what the devices page shows before anyone assigns."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from application.assign_device import AssignDevice, AssignDeviceCommand
from application.context import Actor
from application.device_queries import DeviceQueries
from application.quarantine import QuarantineQueries
from application.queries import PageQuery
from application.register_device import RegisterDevice, RegisterDeviceCommand
from domain.errors import InvalidInput, NotFound
from domain.patients import patient_from_emr
from domain.readings import ReadingStatus
from tests.support.world import World
from tests.unit.conftest import CUFF, NOW, bp
from tests.unit.test_record_reading import record

NORTH = Actor("user-north", practice_id="north")
ADMIN = Actor("user-admin")


async def _patient(world: World, emr_id: str, practice: str = "north") -> str:
    """A patient of `practice` as an import would have stored them (the import itself is tested elsewhere)."""
    patient = patient_from_emr(world.ids.new_id(), world.emr.patients[emr_id], world.clock.now(), practice)
    world.store.committed.patients[patient.id] = patient
    return patient.id


def _assign(world: World) -> AssignDevice:
    return AssignDevice(world.uow, world.clock, world.ids, world.auditor, world.triage)


def _queries(world: World) -> QuarantineQueries:
    return QuarantineQueries(world.uow, world.auditor)


async def _held(world: World, hours_ago: tuple[int, ...]) -> list[str]:
    """Readings the cuff sent while it served nobody (quarantined), by their ids."""
    events = [await record(world, bp(sys_=120 + h, at=NOW - timedelta(hours=h)), webhook_id=f"held-{h}")
              for h in hours_ago]
    return [e.reading_id or "" for e in events]


async def test_the_preview_names_exactly_what_assigning_then_releases_and_writes_nothing(world: World) -> None:
    patient = await _patient(world, "synthetic-patient-0001")
    early, middle, late = await _held(world, (5, 3, 1))
    device = await RegisterDevice(world.uow, world.clock, world.ids, world.auditor)(
        RegisterDeviceCommand(CUFF, "TMB-2092-G", NORTH))
    start = NOW - timedelta(hours=4)
    preview = await _queries(world).preview(NORTH, device.id, "1", start)
    assert sorted(preview.reading_ids) == sorted([middle, late])
    assert (preview.first_measured_at, preview.last_measured_at) == (NOW - timedelta(hours=3), NOW - timedelta(hours=1))
    assert {r.status for r in world.db.readings.values()} == {ReadingStatus.QUARANTINED}
    assigned = await _assign(world)(AssignDeviceCommand(device.id, patient, NORTH, effective_from=start))
    assert sorted(assigned.released_reading_ids) == sorted(preview.reading_ids)
    assert world.db.readings[early].status is ReadingStatus.QUARANTINED


async def test_each_slot_shows_what_assigning_from_its_first_held_reading_releases(world: World) -> None:
    await _held(world, (5, 3))
    await record(world, bp(slot="2", at=NOW - timedelta(hours=2)), webhook_id="slot-2")
    entries, total = await _queries(world).slots(PageQuery(ADMIN))
    assert total == 2
    assert [(e.slot.user_slot, e.slot.readings, e.preview.count) for e in entries] == [("2", 1, 1), ("1", 2, 2)]
    assert entries[1].preview.effective_from == NOW - timedelta(hours=5)
    assert entries[0].device.gateway_device_id == CUFF
    assert [e.action for e in world.audit.entries][-1] == "device.quarantine.read"


async def test_a_clinician_sees_only_their_practices_slots(world: World) -> None:
    await _held(world, (2,))
    nobodys = next(iter(world.db.devices.values()))
    assert await _queries(world).slots(PageQuery(NORTH)) == ([], 0)
    with pytest.raises(NotFound):
        await _queries(world).slots(PageQuery(NORTH), device_id=nobodys.id)
    with pytest.raises(NotFound):
        await _queries(world).preview(NORTH, nobodys.id, "1", NOW - timedelta(hours=3))
    await RegisterDevice(world.uow, world.clock, world.ids, world.auditor)(
        RegisterDeviceCommand(CUFF, "TMB-2092-G", NORTH))
    entries, total = await _queries(world).slots(PageQuery(NORTH), device_id=nobodys.id)
    assert (total, [e.device.id for e in entries]) == (1, [nobodys.id])


async def test_a_start_assigning_would_refuse_releases_nothing_and_says_why(world: World) -> None:
    patient = await _patient(world, "synthetic-patient-0001")
    (held,) = await _held(world, (5,))
    device = next(iter(world.db.devices.values()))
    await _assign(world)(AssignDeviceCommand(device.id, patient, ADMIN, effective_from=NOW - timedelta(hours=2)))
    (entry,), _ = await _queries(world).slots(PageQuery(ADMIN))
    assert (entry.slot.readings, entry.preview.count) == (1, 0)
    assert entry.preview.refused is not None
    with pytest.raises(InvalidInput):
        await _assign(world)(AssignDeviceCommand(device.id, patient, ADMIN, effective_from=NOW - timedelta(hours=5)))
    with pytest.raises(InvalidInput):
        await _queries(world).preview(ADMIN, device.id, "1", (NOW - timedelta(hours=5)).replace(tzinfo=None))
    assert world.db.readings[held].status is ReadingStatus.QUARANTINED


async def test_assignable_patients_are_the_devices_practices_active_ones_by_name(world: World) -> None:
    north = [await _patient(world, f"synthetic-patient-{n:04d}") for n in (1, 2, 3)]
    south = await _patient(world, "synthetic-patient-0004", "south")
    retired = world.db.patients[north[2]]
    world.store.committed.patients[retired.id] = replace(retired, active=False)
    device = await RegisterDevice(world.uow, world.clock, world.ids, world.auditor)(
        RegisterDeviceCommand(CUFF, "TMB-2092-G", ADMIN, practice_id="north"))
    queries = DeviceQueries(world.uow, world.auditor)
    offered = await queries.assignable_patients(ADMIN, device.id)
    names = sorted((world.db.patients[i].name.casefold(), i) for i in north[:2])
    assert [p.id for p in offered] == [i for _, i in names]
    assert south not in [p.id for p in await queries.assignable_patients(NORTH, device.id)]
    with pytest.raises(NotFound):
        await queries.assignable_patients(Actor("user-south", practice_id="south"), device.id)
