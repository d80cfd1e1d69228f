"""Devices belong to a practice: registering, assigning, unassigning and reading them with fakes."""

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
from tests.unit.conftest import CUFF, NOW, Fakes, bp
from tests.unit.test_record_reading import record

NORTH, SOUTH = Actor("user-north", practice_id="north"), Actor("user-south", practice_id="south")
ADMIN = Actor("user-admin")
SINCE = NOW - timedelta(days=1)


async def _patient(fakes: Fakes, emr_id: str, practice: str) -> str:
    result = await ImportPatients(fakes.uow, fakes.emr, fakes.clock, fakes.ids, fakes.auditor)(
        ImportSelectedPatients((emr_id,), CLI, practice))
    return result.imported[0].id


def _register(fakes: Fakes) -> RegisterDevice:
    return RegisterDevice(fakes.uow, fakes.clock, fakes.ids, fakes.auditor)


def _assign(fakes: Fakes) -> AssignDevice:
    return AssignDevice(fakes.uow, fakes.clock, fakes.ids, fakes.auditor, fakes.triage)


async def _south_cuff(fakes: Fakes) -> tuple[str, str]:
    """South's patient and the cuff south's clinician registered and assigned to them."""
    patient = await _patient(fakes, "synthetic-patient-0002", "south")
    device = await _register(fakes)(RegisterDeviceCommand(CUFF, "TMB-2092-G", SOUTH))
    await _assign(fakes)(AssignDeviceCommand(device.id, patient, SOUTH, effective_from=SINCE))
    return patient, device.id


async def test_a_clinician_cannot_take_over_another_practices_device(fakes: Fakes) -> None:
    south_patient, cuff = await _south_cuff(fakes)
    north_patient = await _patient(fakes, "synthetic-patient-0001", "north")
    with pytest.raises(NotFound) as denied:
        await _assign(fakes)(AssignDeviceCommand(cuff, north_patient, NORTH))
    assert str(denied.value) == "device not found"
    assert [(a.patient_id, a.active) for a in fakes.db.assignments.values()] == [(south_patient, True)]


async def test_an_administrator_joins_a_device_and_a_patient_of_one_practice_only(fakes: Fakes) -> None:
    _, cuff = await _south_cuff(fakes)
    north_patient = await _patient(fakes, "synthetic-patient-0001", "north")
    with pytest.raises(Conflict):
        await _assign(fakes)(AssignDeviceCommand(cuff, north_patient, ADMIN))


async def test_a_device_nobody_registered_is_the_admins_to_assign_and_joins_the_patients_practice(
    fakes: Fakes
) -> None:
    north_patient = await _patient(fakes, "synthetic-patient-0001", "north")
    await record(fakes, bp())
    (stray,) = fakes.db.devices.values()
    with pytest.raises(NotFound):
        await _assign(fakes)(AssignDeviceCommand(stray.id, north_patient, NORTH))
    await _assign(fakes)(AssignDeviceCommand(stray.id, north_patient, ADMIN, effective_from=SINCE))
    assert (fakes.db.devices[stray.id].practice_id, fakes.db.devices[stray.id].registered) == ("north", True)


async def test_unassigning_another_practices_device_is_not_found_even_with_nothing_assigned(fakes: Fakes) -> None:
    _, cuff = await _south_cuff(fakes)
    await UnassignDevice(fakes.uow, fakes.clock, fakes.auditor)(UnassignDeviceCommand(cuff, SOUTH))
    with pytest.raises(NotFound):
        await UnassignDevice(fakes.uow, fakes.clock, fakes.auditor)(UnassignDeviceCommand(cuff, NORTH))


async def test_the_registering_users_practice_or_the_one_an_admin_names(fakes: Fakes) -> None:
    fakes.db.users["user-admin"] = User("user-admin", "admin-ada", Role.ADMIN, "x", True, NOW, practice_id="east")
    register = _register(fakes)
    own = await register(RegisterDeviceCommand("860000000000001", "TMB-2092-G", NORTH, practice_id="north"))
    named = await register(RegisterDeviceCommand("860000000000002", "TMB-2092-G", ADMIN, practice_id="west"))
    admins = await register(RegisterDeviceCommand("860000000000003", "TMB-2092-G", ADMIN))
    service = await register(RegisterDeviceCommand("860000000000004", "TMB-2092-G", CLI))
    assert [d.practice_id for d in (own, named, admins, service)] == ["north", "west", "east", "default"]
    with pytest.raises(NotFound):
        await register(RegisterDeviceCommand("860000000000005", "TMB-2092-G", NORTH, practice_id="south"))
    assert "860000000000005" not in {d.gateway_device_id for d in fakes.db.devices.values()}


async def test_a_clinician_registering_a_device_that_sent_data_makes_it_theirs(fakes: Fakes) -> None:
    await record(fakes, bp())
    (stray,) = fakes.db.devices.values()
    assert stray.practice_id is None
    device = await _register(fakes)(RegisterDeviceCommand(CUFF, "TMB-2092-G", NORTH))
    assert (device.id, fakes.db.devices[stray.id].practice_id) == (stray.id, "north")


async def test_clinicians_list_and_read_their_practices_devices_only(fakes: Fakes) -> None:
    _, south_cuff = await _south_cuff(fakes)
    north_cuff = await _register(fakes)(RegisterDeviceCommand("860000000000001", "TMB-2092-G", NORTH))
    queries = DeviceQueries(fakes.uow, fakes.auditor)
    listed, total = await queries.list_devices(PageQuery(NORTH, 1, 50))
    assert ([d.id for d in listed], total) == ([north_cuff.id], 1)
    assert (await queries.list_devices(PageQuery(ADMIN, 1, 50)))[1] == 2
    with pytest.raises(NotFound):
        await queries.device(NORTH, south_cuff)
    assert (await queries.device(SOUTH, south_cuff)).device.id == south_cuff


async def test_history_from_before_devices_had_a_practice_shows_only_the_actors_patients(fakes: Fakes) -> None:
    south_patient, cuff = await _south_cuff(fakes)
    north_patient = await _patient(fakes, "synthetic-patient-0001", "north")
    legacy = DeviceAssignment("legacy", cuff, north_patient, "1", SINCE - timedelta(days=9), SINCE)
    fakes.store.committed.assignments[legacy.id] = legacy
    detail = await DeviceQueries(fakes.uow, fakes.auditor).device(SOUTH, cuff)
    assert [a.patient_id for a in detail.assignments] == [south_patient]
    everything = await DeviceQueries(fakes.uow, fakes.auditor).device(ADMIN, cuff)
    assert [a.patient_id for a in everything.assignments] == [north_patient, south_patient]


async def test_another_practices_reading_is_not_found_as_a_reading_without_its_owners_id(fakes: Fakes) -> None:
    await _south_cuff(fakes)
    event = await record(fakes, bp())
    with pytest.raises(NotFound) as denied:
        await PatientQueries(fakes.uow, fakes.auditor).observations(NORTH, event.reading_id or "")
    assert (denied.value.entity, str(denied.value)) == ("reading", "reading not found")
