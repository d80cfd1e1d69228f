"""The reads the console's patient pages need: search by name, what is already imported, the care overview."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from application.care import CareRecords, ConsentCommand, TimeEntryCommand
from application.context import CLI, Actor
from application.import_patients import ImportPatients, ImportSelectedPatients
from application.queries import PageQuery, PatientQueries
from domain.errors import InvalidInput, NotFound
from tests.support.world import World

NORTH = Actor("dr-north", practice_id="north")
SOUTH = Actor("dr-south", practice_id="south")


async def imported(world: World, emr_id: str, practice: str) -> str:
    world.connect(practice)
    result = await ImportPatients(world.uow, world.emr_directory, world.clock, world.ids, world.auditor)(
        ImportSelectedPatients((emr_id,), CLI, practice))
    return result.imported[0].id


def queries(world: World) -> PatientQueries:
    return PatientQueries(world.uow, world.auditor)


async def test_a_search_finds_the_practices_patients_by_part_of_the_name_and_audits_ids_only(world: World) -> None:
    mine = await imported(world, "synthetic-patient-0001", "north")
    await imported(world, "synthetic-patient-0002", "south")
    name = world.db.patients[mine].name
    found, total = await queries(world).search_patients(PageQuery(NORTH), f"  {name[1:-1].lower()} ")
    assert ([p.id for p in found], total) == ([mine], 1)
    entry = world.audit.entries[-1]
    assert (entry.action, entry.resource_ids) == ("patient.search", (mine,))
    assert name[1:-1].lower() not in repr(entry).lower()


@pytest.mark.parametrize("name", ["", "   ", "x" * 101])
async def test_a_search_needs_a_sensible_name(world: World, name: str) -> None:
    with pytest.raises(InvalidInput):
        await queries(world).search_patients(PageQuery(NORTH), name)


async def test_already_imported_patients_are_told_apart_only_within_the_practice(world: World) -> None:
    mine = await imported(world, "synthetic-patient-0001", "north")
    await imported(world, "synthetic-patient-0002", "south")
    asked = ["synthetic-patient-0001", "synthetic-patient-0002", "synthetic-patient-0003"]
    assert await queries(world).imported_among(NORTH, asked) == {"synthetic-patient-0001": mine}
    assert set(await queries(world).imported_among(CLI, asked)) == {"synthetic-patient-0001",
                                                                    "synthetic-patient-0002"}
    assert await queries(world).imported_among(NORTH, []) == {}


async def test_the_care_overview_shows_the_consent_and_this_months_time(world: World) -> None:
    patient_id = await imported(world, "synthetic-patient-0001", "north")
    care = CareRecords(world.uow, world.clock, world.ids, world.auditor)
    assert (await care.overview(NORTH, patient_id)).consent is None
    today = world.clock.now().date()
    await care.record_consent(ConsentCommand(NORTH, patient_id, True))
    await care.log_time(TimeEntryCommand(NORTH, patient_id, 12, True))
    await care.log_time(TimeEntryCommand(NORTH, patient_id, 8, False, today.replace(day=1)))
    await care.log_time(TimeEntryCommand(NORTH, patient_id, 30, False, today.replace(day=1) - timedelta(days=1)))
    overview = await care.overview(NORTH, patient_id)
    assert overview.consent is not None
    assert overview.consent.consented
    assert (overview.minutes_this_month, [e.performed_on for e in overview.time_this_month]) == (
        20, [date(today.year, today.month, 1), today])
    assert world.audit.actions()[-1] == "care.read"
    with pytest.raises(NotFound):
        await care.overview(SOUTH, patient_id)
