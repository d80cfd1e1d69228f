"""Repository contract, part 1: transactions, patients, devices and users (fake, SQLite, Postgres)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from domain.errors import Conflict
from domain.patients import Patient
from domain.ports import UnitOfWork
from domain.users import Role, User
from tests.integration.builders import T0, assignment, device, new_id, patient, seeded
from tests.integration.conftest import UowFactory


async def test_commit_persists_and_leaving_without_commit_rolls_back(new_uow: UowFactory) -> None:
    kept, dropped, failed = patient(), patient(), patient()
    uow = new_uow()
    async with uow:
        await uow.patients.add(kept)
        await uow.commit()
        await uow.patients.add(dropped)  # after commit the unit is still usable...
    with pytest.raises(RuntimeError, match="boom"):
        await _add_then_fail(uow, failed)  # ...and the same instance can be entered again

    async with new_uow() as other:
        assert await other.patients.get(kept.id) == kept
        assert await other.patients.get(dropped.id) is None
        assert await other.patients.get(failed.id) is None


async def _add_then_fail(uow: UnitOfWork, new_patient: Patient) -> None:
    async with uow:
        await uow.patients.add(new_patient)
        raise RuntimeError("boom")


async def test_rollback_discards_and_the_unit_stays_usable(new_uow: UowFactory) -> None:
    discarded, saved = patient(), patient()
    async with new_uow() as uow:
        await uow.patients.add(discarded)
        await uow.rollback()
        assert await uow.patients.get(discarded.id) is None
        await uow.patients.add(saved)
        await uow.commit()
    async with new_uow() as uow:
        assert [p.id for p in (await uow.patients.list(0, 10))[0]] == [saved.id]


async def test_patient_round_trip_lookup_and_save(uow: UnitOfWork) -> None:
    stored = patient("emr-42")
    async with uow:
        await uow.patients.add(stored)
        await uow.commit()
    async with uow:
        assert await uow.patients.get(stored.id) == stored
        assert await uow.patients.by_emr_id("emr-42") == stored
        assert await uow.patients.get(new_id()) is None
        assert await uow.patients.by_emr_id("emr-missing") is None
        await uow.patients.save(replace(stored, phone=None, active=False, updated_at=T0 + timedelta(days=1)))
        await uow.commit()
    async with uow:
        found = await uow.patients.get(stored.id)
    assert found is not None
    assert (found.phone, found.active, found.updated_at) == (None, False, T0 + timedelta(days=1))
    assert found.imported_at.utcoffset() == timedelta(0)


async def test_patients_page_in_import_order_with_total(uow: UnitOfWork) -> None:
    imported = [patient(imported_at=T0 + timedelta(minutes=n)) for n in (3, 1, 4, 0, 2)]
    async with uow:
        for p in imported:
            await uow.patients.add(p)
        await uow.commit()
    in_order = sorted(imported, key=lambda p: p.imported_at)
    async with uow:
        page, total = await uow.patients.list(1, 2)
        beyond, total_beyond = await uow.patients.list(10, 2)
    assert (list(page), total) == (in_order[1:3], 5)
    assert (list(beyond), total_beyond) == ([], 5)


async def test_device_round_trip_lookup_and_save(uow: UnitOfWork) -> None:
    registered, unregistered = device("860000000000001"), replace(device(), registered_at=None, firmware=None)
    async with uow:
        await uow.devices.add(registered)
        await uow.devices.add(unregistered)
        await uow.commit()
    async with uow:
        assert await uow.devices.get(registered.id) == registered
        assert await uow.devices.get(unregistered.id) == unregistered
        assert await uow.devices.by_gateway_id("860000000000001") == registered
        assert await uow.devices.by_gateway_id("000") is None
        await uow.devices.save(replace(registered, battery_percent=12, last_seen_at=T0 + timedelta(days=2)))
        await uow.commit()
    async with uow:
        assert await uow.devices.get(registered.id) == replace(
            registered, battery_percent=12, last_seen_at=T0 + timedelta(days=2)
        )


async def test_devices_page_in_id_order_with_total(uow: UnitOfWork) -> None:
    stored = [device() for _ in range(4)]
    async with uow:
        for d in stored:
            await uow.devices.add(d)
        await uow.commit()
    async with uow:
        page, total = await uow.devices.list(1, 2)
    assert (list(page), total) == (sorted(stored, key=lambda d: d.id)[1:3], 4)


async def test_assignments_are_the_history_oldest_first(uow: UnitOfWork) -> None:
    first_patient, cuff = await seeded(uow)
    second_patient, other_cuff = await seeded(uow)
    later = assignment(cuff.id, second_patient.id, T0 + timedelta(days=10))
    earlier = assignment(cuff.id, first_patient.id, T0)
    elsewhere = assignment(other_cuff.id, first_patient.id, T0 + timedelta(days=1), slot="2")
    async with uow:
        for a in (later, earlier, elsewhere):
            await uow.devices.add_assignment(a)
        await uow.devices.save_assignment(replace(earlier, ended_at=T0 + timedelta(days=10)))
        await uow.commit()
    ended = replace(earlier, ended_at=T0 + timedelta(days=10))
    async with uow:
        assert list(await uow.devices.assignments(cuff.id)) == [ended, later]
        assert list(await uow.devices.assignments_of_patient(first_patient.id)) == [ended, elsewhere]
        assert list(await uow.devices.assignments(new_id())) == []


def _user(username: str) -> User:
    return User(id=new_id(), username=username, role=Role.CLINICIAN, password_hash="$argon2id$v=19$x",
                active=True, created_at=T0)


async def test_user_round_trip_and_taken_username_is_a_conflict(uow: UnitOfWork) -> None:
    ada = _user("dr-ada")
    async with uow:
        await uow.users.add(ada)
        with pytest.raises(Conflict):
            await uow.users.add(replace(_user("dr-ada"), role=Role.ADMIN))
        # the conflict must not poison the transaction: the first user still commits
        await uow.commit()
    async with uow:
        assert await uow.users.get(ada.id) == ada
        assert await uow.users.by_username("dr-ada") == ada
        assert await uow.users.by_username("dr-bob") is None
        with pytest.raises(Conflict):
            await uow.users.add(_user("dr-ada"))
