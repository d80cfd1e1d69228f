"""RegisterDevice, AssignDevice and UnassignDevice: whose readings a device's slot carries, and since when."""

from __future__ import annotations

from datetime import timedelta

import pytest

from application.assign_device import AssignDevice, AssignDeviceCommand, UnassignDevice, UnassignDeviceCommand
from application.context import CLI
from application.import_patients import ImportPatients, ImportSelectedPatients
from application.register_device import RegisterDevice, RegisterDeviceCommand
from domain.deliveries import DeliveryStatus
from domain.errors import Conflict, InvalidInput, NotFound
from domain.readings import ReadingStatus
from tests.support.world import World
from tests.unit.conftest import CUFF, NOW, bp
from tests.unit.test_record_reading import record


async def patients(world: World, count: int = 2) -> list[str]:
    ids = tuple(f"synthetic-patient-{n:04d}" for n in range(1, count + 1))
    result = await ImportPatients(world.uow, world.emr_directory, world.clock, world.ids, world.auditor)(
        ImportSelectedPatients(ids, CLI))
    return [p.id for p in result.imported]


def assign(world: World) -> AssignDevice:
    return AssignDevice(world.uow, world.clock, world.ids, world.auditor, world.triage)


async def test_register_creates_and_refuses_a_second_registration(world: World) -> None:
    register = RegisterDevice(world.uow, world.clock, world.ids, world.auditor)
    device = await register(RegisterDeviceCommand(CUFF, "TMB-2092-G", CLI))
    assert device.registered
    with pytest.raises(Conflict):
        await register(RegisterDeviceCommand(CUFF, "TMB-2092-G", CLI))


async def test_registering_a_device_that_already_sent_data_keeps_its_id(world: World) -> None:
    await record(world, bp())
    (discovered,) = world.db.devices.values()
    device = await RegisterDevice(world.uow, world.clock, world.ids, world.auditor)(
        RegisterDeviceCommand(CUFF, "TMB-2092-G", CLI))
    assert (device.id, device.registered) == (discovered.id, True)


async def test_quarantined_readings_since_the_start_are_released_and_earlier_ones_never(world: World) -> None:
    (patient,) = await patients(world, 1)
    early = await record(world, bp(at=NOW - timedelta(hours=5)), webhook_id="early")
    later = await record(world, bp(at=NOW - timedelta(hours=1)), webhook_id="later")
    device = next(iter(world.db.devices.values()))
    result = await assign(world)(AssignDeviceCommand(device.id, patient, CLI, effective_from=NOW - timedelta(hours=2)))
    assert result.released_reading_ids == (later.reading_id,)
    assert world.db.readings[later.reading_id or ""].patient_id == patient
    assert world.db.readings[early.reading_id or ""].status is ReadingStatus.QUARANTINED
    assert {i.reading_id for i in world.db.outbox.values()} == {later.reading_id}


async def test_a_reassigned_device_never_leaks_the_previous_patients_readings(world: World) -> None:
    first, second = await patients(world)
    device = await RegisterDevice(world.uow, world.clock, world.ids, world.auditor)(
        RegisterDeviceCommand(CUFF, "TMB-2092-G", CLI))
    await assign(world)(AssignDeviceCommand(device.id, first, CLI, effective_from=NOW - timedelta(days=2)))
    before = await record(world, bp(at=NOW - timedelta(hours=3)), webhook_id="before")
    await assign(world)(AssignDeviceCommand(device.id, second, CLI, effective_from=NOW - timedelta(hours=2)))
    after = await record(world, bp(sys_=131, at=NOW - timedelta(hours=1)), webhook_id="after")
    assert world.db.readings[before.reading_id or ""].patient_id == first
    assert world.db.readings[after.reading_id or ""].patient_id == second
    history = sorted(world.db.assignments.values(), key=lambda a: a.effective_from)
    assert [(a.patient_id, a.ended_at) for a in history] == [(first, NOW - timedelta(hours=2)), (second, None)]


async def test_two_user_slots_serve_two_patients(world: World) -> None:
    first, second = await patients(world)
    await record(world, bp(), webhook_id="seen")
    device = next(iter(world.db.devices.values()))
    since = NOW - timedelta(days=1)
    await assign(world)(AssignDeviceCommand(device.id, first, CLI, user_slot="1", effective_from=since))
    await assign(world)(AssignDeviceCommand(device.id, second, CLI, user_slot="2", effective_from=since))
    other = await record(world, bp(slot="2", sys_=140), webhook_id="slot2")
    assert world.db.readings[other.reading_id or ""].patient_id == second


async def test_start_before_the_current_assignment_is_refused_and_unknowns_are_not_found(world: World) -> None:
    first, second = await patients(world)
    device = await RegisterDevice(world.uow, world.clock, world.ids, world.auditor)(
        RegisterDeviceCommand(CUFF, "TMB-2092-G", CLI))
    await assign(world)(AssignDeviceCommand(device.id, first, CLI, effective_from=NOW - timedelta(hours=1)))
    with pytest.raises(InvalidInput):
        await assign(world)(AssignDeviceCommand(device.id, second, CLI, effective_from=NOW - timedelta(hours=2)))
    with pytest.raises(NotFound):
        await assign(world)(AssignDeviceCommand(device.id, "no-such-patient", CLI))
    with pytest.raises(NotFound):
        await assign(world)(AssignDeviceCommand("no-such-device", first, CLI))


async def test_after_unassigning_readings_are_quarantined(world: World) -> None:
    (patient,) = await patients(world, 1)
    device = await RegisterDevice(world.uow, world.clock, world.ids, world.auditor)(
        RegisterDeviceCommand(CUFF, "TMB-2092-G", CLI))
    await assign(world)(AssignDeviceCommand(device.id, patient, CLI, effective_from=NOW - timedelta(days=1)))
    world.clock.advance(timedelta(minutes=1))
    (ended,) = await UnassignDevice(world.uow, world.clock, world.auditor)(UnassignDeviceCommand(device.id, CLI))
    assert ended.ended_at == world.clock.now()
    event = await record(world, bp(at=world.clock.now() + timedelta(minutes=1)))
    assert event.status is DeliveryStatus.QUARANTINED


async def test_a_released_crisis_ends_as_if_it_had_arrived_assigned(world: World) -> None:
    """Release goes through the intake's own `accept` step: the same Observations queued, the same alert."""
    (patient,) = await patients(world, 1)
    quarantined = await record(world, bp(sys_=190, dia=95, at=NOW - timedelta(hours=1)), webhook_id="crisis")
    device = next(iter(world.db.devices.values()))
    await assign(world)(AssignDeviceCommand(device.id, patient, CLI, effective_from=NOW - timedelta(hours=2)))

    arrived = World()
    (other,) = await patients(arrived, 1)
    await record(arrived, bp(at=NOW - timedelta(hours=3)), webhook_id="seen")
    await assign(arrived)(AssignDeviceCommand(next(iter(arrived.db.devices.values())).id, other, CLI,
                                             effective_from=NOW - timedelta(hours=2)))
    assigned = await record(arrived, bp(sys_=190, dia=95, at=NOW - timedelta(hours=1)), webhook_id="crisis")

    def outcome(world: World, reading_id: str | None) -> tuple[object, ...]:
        reading = world.db.readings[reading_id or ""]
        codes = sorted((i.topic.value, i.code) for i in world.db.outbox.values() if i.reading_id == reading.id)
        alerts = sorted((a.rule, a.severity.value) for a in world.db.alerts.values() if a.reading_id == reading.id)
        return reading.status, reading.reason, codes, alerts

    assert outcome(world, quarantined.reading_id) == outcome(arrived, assigned.reading_id)
    assert outcome(world, quarantined.reading_id)[3] == [("bp_crisis", "critical")]
