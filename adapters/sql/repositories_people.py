"""Patients, devices (with their assignments) and users over one AsyncConnection."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy import bindparam, case, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.sql import mapping as m
from adapters.sql.statements import fetch_all, fetch_among, fetch_one, insert_if_new, insert_or_move_up, upsert
from adapters.sql.tables import device_assignments, devices, patient_thresholds, patients, users
from domain.devices import Device, DeviceAssignment, KnownDevices
from domain.errors import Conflict
from domain.patients import Patient
from domain.users import Role, User

_seen = bindparam("seen", type_=devices.c.last_seen_at.type)
# what a device reports of itself; registration and practice are the clinic's and stay as stored
_OBSERVED = (
    update(devices).where(devices.c.id == bindparam("device"))
    .values(
        last_seen_at=case((or_(devices.c.last_seen_at.is_(None), devices.c.last_seen_at < _seen), _seen),
                          else_=devices.c.last_seen_at),
        battery_percent=func.coalesce(bindparam("battery"), devices.c.battery_percent),
        signal_bars=func.coalesce(bindparam("signal"), devices.c.signal_bars),
        firmware=func.coalesce(bindparam("firmware"), devices.c.firmware),
    )
)


class SqlPatientRepository:
    """PatientRepository on the `patients` table."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._c = connection

    async def add(self, patient: Patient) -> None:
        if not await insert_if_new(self._c, patients, m.patient_row(patient)):
            raise Conflict("a patient with this id or EMR id already exists")

    async def save(self, patient: Patient) -> None:
        await upsert(self._c, patients, m.patient_row(patient))

    async def get(self, patient_id: str) -> Patient | None:
        row = await fetch_one(self._c, patients, patients.c.id == patient_id)
        return m.patient_of(row) if row else None

    async def get_many(self, ids: Sequence[str]) -> Mapping[str, Patient]:
        rows = await fetch_among(self._c, patients, "id", ids)
        return {row["id"]: m.patient_of(row) for row in rows}

    async def by_emr_id(self, emr_patient_id: str) -> Patient | None:
        row = await fetch_one(self._c, patients, patients.c.emr_patient_id == emr_patient_id)
        return m.patient_of(row) if row else None

    async def list(
        self, offset: int, limit: int, practice_id: str | None = None
    ) -> tuple[Sequence[Patient], int]:
        where = [patients.c.practice_id == practice_id] if practice_id is not None else []
        page = await self._c.execute(
            select(patients).where(*where).order_by(patients.c.imported_at, patients.c.id).offset(offset).limit(limit)
        )
        total = await self._c.scalar(select(func.count()).select_from(patients).where(*where))
        return [m.patient_of(row) for row in page.mappings()], int(total or 0)

    async def search(
        self, name: str, offset: int, limit: int, practice_id: str | None = None
    ) -> tuple[Sequence[Patient], int]:
        where = [patients.c.name.icontains(name, autoescape=True)]
        if practice_id is not None:
            where.append(patients.c.practice_id == practice_id)
        page = await self._c.execute(
            select(patients).where(*where).order_by(patients.c.name, patients.c.id).offset(offset).limit(limit)
        )
        total = await self._c.scalar(select(func.count()).select_from(patients).where(*where))
        return [m.patient_of(row) for row in page.mappings()], int(total or 0)

    async def by_emr_ids(self, emr_patient_ids: Sequence[str]) -> Mapping[str, Patient]:
        if not emr_patient_ids:
            return {}
        rows = await fetch_all(self._c, patients, patients.c.emr_patient_id.in_(list(emr_patient_ids)))
        return {row["emr_patient_id"]: m.patient_of(row) for row in rows}


class SqlDeviceRepository:
    """DeviceRepository on `devices` and `device_assignments`."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._c = connection

    async def add(self, device: Device) -> None:
        if not await insert_if_new(self._c, devices, m.device_row(device)):
            raise Conflict("a device with this id or gateway id already exists")

    async def save(self, device: Device) -> None:
        await upsert(self._c, devices, m.device_row(device))

    async def observe_many(self, many: Sequence[Device]) -> None:
        if many:
            await self._c.execute(_OBSERVED, [
                {"device": d.id, "seen": d.last_seen_at, "battery": d.battery_percent, "signal": d.signal_bars,
                 "firmware": d.firmware} for d in many])

    async def seen(self, device: Device) -> Device:
        return m.device_of(await insert_or_move_up(
            self._c, devices, m.device_row(device), "gateway_device_id", "last_seen_at"))

    async def get(self, device_id: str) -> Device | None:
        row = await fetch_one(self._c, devices, devices.c.id == device_id)
        return m.device_of(row) if row else None

    async def get_many(self, ids: Sequence[str]) -> Mapping[str, Device]:
        rows = await fetch_among(self._c, devices, "id", ids)
        return {row["id"]: m.device_of(row) for row in rows}

    async def by_gateway_id(self, gateway_device_id: str) -> Device | None:
        row = await fetch_one(self._c, devices, devices.c.gateway_device_id == gateway_device_id)
        return m.device_of(row) if row else None

    async def by_gateway_ids(self, gateway_device_ids: Sequence[str]) -> Mapping[str, Device]:
        wanted = sorted(set(gateway_device_ids))
        rows = await fetch_among(self._c, devices, "gateway_device_id", wanted)
        return {row["gateway_device_id"]: m.device_of(row) for row in rows}

    async def known_for_intake(self, gateway_device_ids: Sequence[str]) -> KnownDevices:
        found = await self.by_gateway_ids(gateway_device_ids)
        histories = await self.assignments_of_devices([d.id for d in found.values()])
        patients = sorted({a.patient_id for history in histories.values() for a in history})
        rows = await fetch_among(self._c, patient_thresholds, "patient_id", patients)
        overrides = {row["patient_id"]: m.overrides_of(row["overrides"]) for row in rows}
        return KnownDevices(found, histories, {p: overrides.get(p, {}) for p in patients})

    async def list(
        self, offset: int, limit: int, practice_id: str | None = None
    ) -> tuple[Sequence[Device], int]:
        where = [devices.c.practice_id == practice_id] if practice_id is not None else []
        page = await self._c.execute(
            select(devices).where(*where).order_by(devices.c.id).offset(offset).limit(limit))
        total = await self._c.scalar(select(func.count()).select_from(devices).where(*where))
        return [m.device_of(row) for row in page.mappings()], int(total or 0)

    async def add_assignment(self, assignment: DeviceAssignment) -> None:
        await self._c.execute(device_assignments.insert().values(m.assignment_row(assignment)))

    async def save_assignment(self, assignment: DeviceAssignment) -> None:
        await upsert(self._c, device_assignments, m.assignment_row(assignment))

    async def assignments(self, device_id: str) -> Sequence[DeviceAssignment]:
        t = device_assignments
        rows = await fetch_all(self._c, t, t.c.device_id == device_id, order_by=(t.c.effective_from, t.c.id))
        return [m.assignment_of(row) for row in rows]

    async def assignments_of_patient(self, patient_id: str) -> Sequence[DeviceAssignment]:
        t = device_assignments
        rows = await fetch_all(self._c, t, t.c.patient_id == patient_id, order_by=(t.c.effective_from, t.c.id))
        return [m.assignment_of(row) for row in rows]

    async def assignments_of_devices(self, device_ids: Sequence[str]) -> Mapping[str, Sequence[DeviceAssignment]]:
        t, wanted = device_assignments, sorted(set(device_ids))
        rows = await fetch_among(self._c, t, "device_id", wanted, order_by=("effective_from", "id"))
        histories: dict[str, list[DeviceAssignment]] = {}
        for row in rows:
            histories.setdefault(row["device_id"], []).append(m.assignment_of(row))
        return histories


class SqlUserRepository:
    """UserRepository on `users`; a taken username is a Conflict, as in the fake."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._c = connection

    async def add(self, user: User) -> None:
        if not await insert_if_new(self._c, users, m.user_row(user)):
            raise Conflict(f"username {user.username!r} is taken")

    async def get(self, user_id: str) -> User | None:
        row = await fetch_one(self._c, users, users.c.id == user_id)
        return m.user_of(row) if row else None

    async def by_username(self, username: str) -> User | None:
        row = await fetch_one(self._c, users, users.c.username == username)
        return m.user_of(row) if row else None

    async def active_with_role(self, role: Role, practice_id: str | None = None) -> Sequence[User]:
        in_practice = [users.c.practice_id == practice_id] if practice_id is not None else []
        rows = await fetch_all(self._c, users, users.c.active.is_(True), users.c.role == role.value, *in_practice,
                               order_by=(users.c.id,))
        return [m.user_of(row) for row in rows]
