"""ImportPatients / BrowseEmrPatients, CreateUser / Authenticate."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from application.context import CLI, Actor
from application.import_patients import (
    BrowseEmrPatients,
    BrowseEmrPatientsQuery,
    ImportPatients,
    ImportSelectedPatients,
)
from application.users import Authenticate, CreateUser, CreateUserCommand, Credentials
from domain.audit import AuditOutcome
from domain.errors import AuthenticationFailed, Conflict, InvalidInput
from domain.users import Role, User
from tests.support.world import World


def importer(world: World) -> ImportPatients:
    return ImportPatients(world.uow, world.emr_directory, world.clock, world.ids, world.auditor)


async def test_import_copies_demographics_and_skips_the_second_time(world: World) -> None:
    source = world.emr.patients["synthetic-patient-0003"]
    selection = ("synthetic-patient-0003", "nobody", "synthetic-patient-0003")
    result = await importer(world)(ImportSelectedPatients(selection, CLI))
    (patient,) = result.imported
    assert (patient.name, patient.birth_date, patient.mrn, patient.phone, patient.address, patient.active) == (
        source.name, source.birth_date, source.mrn, source.phone, source.address, True)
    assert [(e.emr_patient_id, e.error) for e in result.errors] == [("nobody", "patient not found in the EMR")]
    again = await importer(world)(ImportSelectedPatients(("synthetic-patient-0003",), CLI))
    assert (again.imported, again.skipped) == ((), ("synthetic-patient-0003",))
    assert len(world.db.patients) == 1


async def test_a_re_import_refreshes_changed_demographics_within_the_actors_practice(world: World) -> None:
    world.connect("north", "south")  # clinics on one EMR server
    first = (await importer(world)(ImportSelectedPatients(("synthetic-patient-0004",), CLI, "north"))).imported[0]
    source = world.emr.patients["synthetic-patient-0004"]
    world.emr.patients[source.emr_patient_id] = replace(source, phone="+1-555-0199", address="9 New Rd")
    world.clock.advance(timedelta(days=1))
    elsewhere = Actor("dr-south", practice_id="south")
    hidden = await importer(world)(ImportSelectedPatients(("synthetic-patient-0004",), elsewhere, "south"))
    assert (hidden.updated, hidden.skipped) == ((), ("synthetic-patient-0004",))
    again = await importer(world)(ImportSelectedPatients(("synthetic-patient-0004",), CLI))
    (refreshed,) = again.updated
    assert (refreshed.id, refreshed.phone, refreshed.address, refreshed.practice_id) == (
        first.id, "+1-555-0199", "9 New Rd", "north")
    assert refreshed.updated_at == world.clock.now()
    assert world.db.patients[first.id] == refreshed


async def test_import_needs_a_selection_and_audits_ids_not_names(world: World) -> None:
    with pytest.raises(InvalidInput):
        await importer(world)(ImportSelectedPatients((), CLI))
    await importer(world)(ImportSelectedPatients(("synthetic-patient-0001",), CLI))
    entry = world.audit.entries[-1]
    assert entry.action == "patient.import"
    assert world.emr.patients["synthetic-patient-0001"].name not in repr(entry)


async def test_browse_pages_through_the_emr(world: World) -> None:
    browse = BrowseEmrPatients(world.emr_directory, world.auditor)
    page = await browse(BrowseEmrPatientsQuery(2, 4, CLI, "default"))
    assert (page.page, page.total, [p.emr_patient_id for p in page.patients]) == (
        2, 20, [f"synthetic-patient-{n:04d}" for n in range(5, 9)])
    with pytest.raises(InvalidInput):
        await browse(BrowseEmrPatientsQuery(1, 101, CLI, "default"))


async def test_users_are_stored_with_an_argon2id_hash(world: World) -> None:
    user = await CreateUser(world.uow, world.hasher, world.clock, world.ids, world.auditor)(
        CreateUserCommand("dr-okafor", Role.CLINICIAN, "correct-horse-battery", CLI))
    stored = world.db.users[user.id]
    assert stored.password_hash.startswith("$argon2id$")
    assert "correct-horse-battery" not in stored.password_hash


@pytest.mark.parametrize(("username", "password"), [("dr", "long-enough-password"), ("dr okafor", "long-enough-pw"),
                                                    ("dr-okafor", "short")])
async def test_weak_credentials_are_refused(world: World, username: str, password: str) -> None:
    with pytest.raises(InvalidInput):
        await CreateUser(world.uow, world.hasher, world.clock, world.ids, world.auditor)(
            CreateUserCommand(username, Role.ADMIN, password, CLI))


async def test_a_taken_username_is_a_conflict(world: World) -> None:
    create = CreateUser(world.uow, world.hasher, world.clock, world.ids, world.auditor)
    await create(CreateUserCommand("dr-okafor", Role.ADMIN, "correct-horse-battery", CLI))
    with pytest.raises(Conflict):
        await create(CreateUserCommand("dr-okafor", Role.CLINICIAN, "another-good-password", CLI))


async def test_authentication_fails_alike_for_every_wrong_case(world: World) -> None:
    await CreateUser(world.uow, world.hasher, world.clock, world.ids, world.auditor)(
        CreateUserCommand("dr-okafor", Role.ADMIN, "correct-horse-battery", CLI))
    authenticate = Authenticate(world.uow, world.hasher, world.auditor)
    assert (await authenticate(Credentials("dr-okafor", "correct-horse-battery"))).role is Role.ADMIN
    messages = set()
    for username, password in (("dr-okafor", "wrong-password!!"), ("nobody", "correct-horse-battery")):
        with pytest.raises(AuthenticationFailed) as caught:
            await authenticate(Credentials(username, password))
        messages.add(str(caught.value))
    assert len(messages) == 1
    assert world.audit.entries[-1].outcome is AuditOutcome.FAILURE


async def test_the_fake_unit_of_work_commits_or_discards(world: World) -> None:
    async with world.uow as uow:
        await uow.users.add(_user(world))
    assert world.db.users == {}
    async with world.uow as uow:
        await uow.users.add(_user(world))
        await uow.commit()
    assert len(world.db.users) == 1


def _user(world: World) -> User:
    return User("u-1", "someone", Role.CLINICIAN, "hash", True, world.clock.now())
