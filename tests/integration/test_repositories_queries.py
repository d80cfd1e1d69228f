"""Repository queries the API and the worker lean on: practice filters and batch lookups, alike on the
fakes, SQLite and Postgres."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import timedelta

from domain.alerts import Alert, AlertStatus, Severity
from domain.dashboard import DashboardWindow
from domain.ports import UnitOfWork
from domain.users import Role, User
from tests.integration.builders import T0, assignment, device, new_id, outbox_item, patient, reading


def _alert(patient_id: str, reading_id: str) -> Alert:
    return Alert(id=new_id(), patient_id=patient_id, reading_id=reading_id, rule="bp.crisis",
                 severity=Severity.CRITICAL, status=AlertStatus.OPEN, raised_at=T0)


def _user(role: Role, practice: str) -> User:
    return User(id=new_id(), username=f"u-{uuid.uuid4().hex[:8]}", role=role, password_hash="x", active=True,
                created_at=T0, practice_id=practice)


async def test_patients_alerts_users_and_dashboard_of_one_practice(uow: UnitOfWork) -> None:
    north, south = replace(patient(), practice_id="north"), replace(patient(), practice_id="south")
    cuffs = {north.id: replace(device(), battery_percent=5), south.id: replace(device(), battery_percent=5)}
    readings = {p.id: reading(cuffs[p.id].id, p.id, T0 + timedelta(hours=1)) for p in (north, south)}
    doctor_north, doctor_south = _user(Role.CLINICIAN, "north"), _user(Role.CLINICIAN, "south")
    async with uow:
        for p in (north, south):
            await uow.patients.add(p)
            await uow.devices.add(cuffs[p.id])
            await uow.devices.add_assignment(assignment(cuffs[p.id].id, p.id))
            await uow.readings.add_if_new(readings[p.id])
            await uow.alerts.add(_alert(p.id, readings[p.id].id))
        for user in (doctor_north, doctor_south):
            await uow.users.add(user)
        await uow.commit()
    async with uow:
        assert [p.id for p in (await uow.patients.list(0, 10, "north"))[0]] == [north.id]
        assert (await uow.patients.list(0, 10))[1] == 2
        found, total = await uow.alerts.search(status=None, severity=None, patient_id=None, offset=0, limit=10,
                                               practice_id="south")
        assert ([a.patient_id for a in found], total) == ([south.id], 1)
        assert [u.id for u in await uow.users.active_with_role(Role.CLINICIAN, "north")] == [doctor_north.id]
        assert len(await uow.users.active_with_role(Role.CLINICIAN)) == 2
        window = DashboardWindow(day_start=T0, quiet_since=T0 - timedelta(days=3), practice_id="north")
        one = await uow.dashboard.snapshot(window)
        every = await uow.dashboard.snapshot(replace(window, practice_id=None))
    assert (one.patients_monitored, one.readings_today, one.open_alerts, one.low_battery_devices) == (
        1, 1, {"critical": 1}, 1)
    assert (every.patients_monitored, every.readings_today, every.open_alerts, every.low_battery_devices) == (
        2, 2, {"critical": 2}, 2)


async def test_patients_devices_and_readings_fetched_by_many_ids_at_once(uow: UnitOfWork) -> None:
    someone, cuff = patient(), device()
    taken = reading(cuff.id, someone.id, T0)
    async with uow:
        await uow.patients.add(someone)
        await uow.devices.add(cuff)
        await uow.readings.add_if_new(taken)
        await uow.commit()
    async with uow:
        assert await uow.patients.get_many([someone.id, new_id()]) == {someone.id: someone}
        assert await uow.devices.get_many([cuff.id]) == {cuff.id: cuff}
        assert await uow.readings.get_many([taken.id, new_id()]) == {taken.id: taken}
        assert await uow.readings.get_many([]) == {}


async def test_several_outbox_items_added_at_once(uow: UnitOfWork) -> None:
    someone, cuff = patient(), device()
    taken = reading(cuff.id, someone.id, T0)
    items = [outbox_item(reading_id=taken.id, patient_id=someone.id, code=code) for code in ("85354-9", "8867-4")]
    async with uow:
        await uow.patients.add(someone)
        await uow.devices.add(cuff)
        await uow.readings.add_if_new(taken)
        await uow.outbox.add_many(items)
        await uow.outbox.add_many([])
        await uow.commit()
    async with uow:
        assert sorted(await uow.outbox.for_reading(taken.id), key=lambda i: i.id) == sorted(items, key=lambda i: i.id)
