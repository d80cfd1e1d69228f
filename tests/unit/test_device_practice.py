"""Devices belong to a practice: registering, assigning, unassigning and reading them with world."""

from __future__ import annotations

from datetime import timedelta

import pytest

from application.assign_device import AssignDevice, AssignDeviceCommand, UnassignDevice, UnassignDeviceCommand
from application.context import CLI, Actor
from application.device_queries import DeviceQueries
from application.import_patients import ImportPatients, ImportSelectedPatients
from application.queries import PageQuery, PatientQueries
from application.register_device import RegisterDevice, RegisterDeviceCommand
from domain.devices import DeviceAssignment
from domain.errors import Conflict, NotFound
from domain.users import Role, User
from tests.support.world import World
from tests.unit.conftest import CUFF, NOW, bp
from tests.unit.test_record_reading import record

NORTH, SOUTH = Actor("user-north", practice_id="north"), Actor("user-south", practice_id="south")
ADMIN = Actor("user-admin")
SINCE = NOW - timedelta(days=1)


async def _patient(world: World, emr_id: str, practice: str) -> str:
    world.connect(practice)
    result = await ImportPatients(world.uow, world.emr_directory, world.clock, world.ids, world.auditor)(
        ImportSelectedPatients((emr_id,), CLI, practice))
    return result.imported[0].id


def _register(world: World) -> RegisterDevice:
    return RegisterDevice(world.uow, world.clock, world.ids, world.auditor)


def _assign(world: World) -> AssignDevice:
    return AssignDevice(world.uow, world.clock, world.ids, world.auditor, world.triage)


async def _south_cuff(world: World) -> tuple[str, str]:
    """South's patient and the cuff south's clinician registered and assigned to them."""
    patient = await _patient(world, "synthetic-patient-0002", "south")
    device = await _register(world)(RegisterDeviceCommand(CUFF, "TMB-2092-G", SOUTH))
    await _assign(world)(AssignDeviceCommand(device.id, patient, SOUTH, effective_from=SINCE))
    return patient, device.id


async def test_a_clinician_cannot_take_over_another_practices_device(world: World) -> None:
    south_patient, cuff = await _south_cuff(world)
    north_patient = await _patient(world, "synthetic-patient-0001", "north")
    with pytest.raises(NotFound) as denied:
        await _assign(world)(AssignDeviceCommand(cuff, north_patient, NORTH))
    assert str(denied.value) == "device not found"
    assert [(a.patient_id, a.active) for a in world.db.assignments.values()] == [(south_patient, True)]


async def test_an_administrator_joins_a_device_and_a_patient_of_one_practice_only(world: World) -> None:
    _, cuff = await _south_cuff(world)
    north_patient = await _patient(world, "synthetic-patient-0001", "north")
    with pytest.raises(Conflict):
        await _assign(world)(AssignDeviceCommand(cuff, north_patient, ADMIN))


async def test_a_device_nobody_registered_is_the_admins_to_assign_and_joins_the_patients_practice(
    world: World
) -> None:
    north_patient = await _patient(world, "synthetic-patient-0001", "north")
    await record(world, bp())
    (stray,) = world.db.devices.values()
    with pytest.raises(NotFound):
        await _assign(world)(AssignDeviceCommand(stray.id, north_patient, NORTH))
    await _assign(world)(AssignDeviceCommand(stray.id, north_patient, ADMIN, effective_from=SINCE))
    assert (world.db.devices[stray.id].practice_id, world.db.devices[stray.id].registered) == ("north", True)


async def test_unassigning_another_practices_device_is_not_found_even_with_nothing_assigned(world: World) -> None:
    _, cuff = await _south_cuff(world)
    await UnassignDevice(world.uow, world.clock, world.auditor)(UnassignDeviceCommand(cuff, SOUTH))
    with pytest.raises(NotFound):
        await UnassignDevice(world.uow, world.clock, world.auditor)(UnassignDeviceCommand(cuff, NORTH))


async def test_the_registering_users_practice_or_the_one_an_admin_names(world: World) -> None:
    world.db.users["user-admin"] = User("user-admin", "admin-ada", Role.ADMIN, "x", True, NOW, practice_id="east")
    register = _register(world)
    own = await register(RegisterDeviceCommand("860000000000001", "TMB-2092-G", NORTH, practice_id="north"))
    named = await register(RegisterDeviceCommand("860000000000002", "TMB-2092-G", ADMIN, practice_id="west"))
    admins = await register(RegisterDeviceCommand("860000000000003", "TMB-2092-G", ADMIN))
    service = await register(RegisterDeviceCommand("860000000000004", "TMB-2092-G", CLI))
    assert [d.practice_id for d in (own, named, admins, service)] == ["north", "west", "east", "default"]
    with pytest.raises(NotFound):
        await register(RegisterDeviceCommand("860000000000005", "TMB-2092-G", NORTH, practice_id="south"))
    assert "860000000000005" not in {d.gateway_device_id for d in world.db.devices.values()}


async def test_a_clinician_registering_a_device_that_sent_data_makes_it_theirs(world: World) -> None:
    await record(world, bp())
    (stray,) = world.db.devices.values()
    assert stray.practice_id is None
    device = await _register(world)(RegisterDeviceCommand(CUFF, "TMB-2092-G", NORTH))
    assert (device.id, world.db.devices[stray.id].practice_id) == (stray.id, "north")


async def test_clinicians_list_and_read_their_practices_devices_only(world: World) -> None:
    _, south_cuff = await _south_cuff(world)
    north_cuff = await _register(world)(RegisterDeviceCommand("860000000000001", "TMB-2092-G", NORTH))
    queries = DeviceQueries(world.uow, world.auditor)
    listed, total = await queries.list_devices(PageQuery(NORTH, 1, 50))
    assert ([d.id for d in listed], total) == ([north_cuff.id], 1)
    assert (await queries.list_devices(PageQuery(ADMIN, 1, 50)))[1] == 2
    with pytest.raises(NotFound):
        await queries.device(NORTH, south_cuff)
    assert (await queries.device(SOUTH, south_cuff)).device.id == south_cuff


async def test_history_from_before_devices_had_a_practice_shows_only_the_actors_patients(world: World) -> None:
    south_patient, cuff = await _south_cuff(world)
    north_patient = await _patient(world, "synthetic-patient-0001", "north")
    legacy = DeviceAssignment("legacy", cuff, north_patient, "1", SINCE - timedelta(days=9), SINCE)
    world.store.committed.assignments[legacy.id] = legacy
    detail = await DeviceQueries(world.uow, world.auditor).device(SOUTH, cuff)
    assert [a.patient_id for a in detail.assignments] == [south_patient]
    everything = await DeviceQueries(world.uow, world.auditor).device(ADMIN, cuff)
    assert [a.patient_id for a in everything.assignments] == [north_patient, south_patient]


async def test_another_practices_reading_is_not_found_as_a_reading_without_its_owners_id(world: World) -> None:
    await _south_cuff(world)
    event = await record(world, bp())
    with pytest.raises(NotFound) as denied:
        await PatientQueries(world.uow, world.auditor).observations(NORTH, event.reading_id or "")
    assert (denied.value.entity, str(denied.value)) == ("reading", "reading not found")
