"""Read-side use cases for the provider app; every read of patient data is audited."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from application.access import may_see, patient_for
from application.auditing import Auditor
from application.context import Actor
from domain.devices import Device, DeviceAssignment
from domain.errors import InvalidInput, NotFound
from domain.observations import ObservationCode, ObservationDraft, observation_codes
from domain.patients import Patient
from domain.ports import UnitOfWork
from domain.readings import Reading
from domain.sync import OutboxItem

MAX_PAGE_SIZE = 200
# keeps (page - 1) * page_size far inside a 64-bit OFFSET (and a 32-bit one) for every page size we allow
MAX_PAGE = 1_000_000
MAX_SEARCH_LENGTH = 100


@dataclass(frozen=True)
class PageQuery:
    actor: Actor
    page: int = 1
    page_size: int = 50

    @property
    def offset(self) -> int:
        if not 1 <= self.page <= MAX_PAGE or not 1 <= self.page_size <= MAX_PAGE_SIZE:
            raise InvalidInput(f"page must be 1-{MAX_PAGE} and page_size 1-{MAX_PAGE_SIZE}")
        return (self.page - 1) * self.page_size


@dataclass(frozen=True)
class PatientDetail:
    patient: Patient
    devices: tuple[tuple[DeviceAssignment, Device], ...]


class PatientQueries:
    """Patients, their readings, sync status and the Observations a reading yields."""

    def __init__(self, uow: UnitOfWork, auditor: Auditor) -> None:
        self._uow = uow
        self._auditor = auditor

    async def list_patients(self, query: PageQuery) -> tuple[Sequence[Patient], int]:
        async with self._uow as uow:
            patients, total = await uow.patients.list(query.offset, query.page_size, query.actor.practice_id)
        await self._auditor.record(query.actor, "patient.list", "Patient", [p.id for p in patients])
        return patients, total

    async def search_patients(self, query: PageQuery, name: str) -> tuple[Sequence[Patient], int]:
        """The actor's patients whose name contains `name` (any case), by name; the name is never audited."""
        wanted = name.strip()
        if not 1 <= len(wanted) <= MAX_SEARCH_LENGTH:
            raise InvalidInput(f"a patient search needs 1-{MAX_SEARCH_LENGTH} characters")
        async with self._uow as uow:
            patients, total = await uow.patients.search(wanted, query.offset, query.page_size,
                                                        query.actor.practice_id)
        await self._auditor.record(query.actor, "patient.search", "Patient", [p.id for p in patients])
        return patients, total

    async def imported_among(self, actor: Actor, emr_patient_ids: Sequence[str]) -> Mapping[str, str]:
        """Which of these EMR patients the actor already monitors: our patient id by EMR id."""
        async with self._uow as uow:
            found = await uow.patients.by_emr_ids(emr_patient_ids) if emr_patient_ids else {}
        visible = {emr_id: p.id for emr_id, p in found.items() if may_see(actor, p)}
        if visible:
            await self._auditor.record(actor, "patient.list", "Patient", list(visible.values()))
        return visible

    async def patient(self, actor: Actor, patient_id: str) -> PatientDetail:
        async with self._uow as uow:
            patient = await patient_for(uow, actor, patient_id)
            devices = []
            for assignment in await uow.devices.assignments_of_patient(patient_id):
                device = await uow.devices.get(assignment.device_id)
                if assignment.active and device is not None:
                    devices.append((assignment, device))
        await self._auditor.record(actor, "patient.read", "Patient", [patient_id])
        return PatientDetail(patient, tuple(devices))

    async def readings(self, query: PageQuery, patient_id: str) -> tuple[Sequence[Reading], int]:
        async with self._uow as uow:
            await patient_for(uow, query.actor, patient_id)
            readings, total = await uow.readings.for_patient(patient_id, query.offset, query.page_size)
        await self._auditor.record(
            query.actor, "reading.list", "Reading", [patient_id, *(r.id for r in readings)]
        )
        return readings, total

    async def sync_status(self, actor: Actor, patient_id: str) -> Sequence[OutboxItem]:
        async with self._uow as uow:
            await patient_for(uow, actor, patient_id)
            items = await uow.outbox.for_patient(patient_id)
        await self._auditor.record(actor, "sync.status.read", "Patient", [patient_id])
        return items

    async def observations(self, actor: Actor, reading_id: str) -> list[ObservationDraft]:
        """The Observations that are (or will be) sent for an attributed reading."""
        async with self._uow as uow:
            reading = await uow.readings.get(reading_id)
            if reading is None or reading.patient_id is None:
                raise NotFound("reading", reading_id)
            patient = await patient_for(uow, actor, reading.patient_id, asked_for="reading")
            device = await uow.devices.get(reading.device_id)
        await self._auditor.record(actor, "reading.fhir.read", "Reading", [reading_id])
        model = device.model_number if device else "unknown"
        return [
            ObservationDraft(ObservationCode(code), reading, patient.emr_patient_id, model)
            for code in observation_codes(reading)
        ]

