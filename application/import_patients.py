"""ImportPatients and BrowseEmrPatients: bring selected EMR patients into monitoring."""

from __future__ import annotations

from dataclasses import dataclass

from application.auditing import Auditor
from application.context import Actor
from domain.errors import InvalidInput
from domain.patients import Patient, patient_from_emr
from domain.ports import Clock, EmrGateway, EmrPatientPage, IdGenerator, UnitOfWork

MAX_IMPORT = 500
MAX_PAGE_SIZE = 100


@dataclass(frozen=True)
class ImportSelectedPatients:
    emr_patient_ids: tuple[str, ...]
    actor: Actor


@dataclass(frozen=True)
class ImportError_:
    emr_patient_id: str
    error: str


@dataclass(frozen=True)
class ImportResult:
    imported: tuple[Patient, ...]
    skipped: tuple[str, ...]
    errors: tuple[ImportError_, ...]


class ImportPatients:
    """Copy each selected EMR patient's demographics; already-imported patients are skipped."""

    def __init__(
        self, uow: UnitOfWork, emr: EmrGateway, clock: Clock, ids: IdGenerator, auditor: Auditor
    ) -> None:
        self._uow = uow
        self._emr = emr
        self._clock = clock
        self._ids = ids
        self._auditor = auditor

    async def __call__(self, command: ImportSelectedPatients) -> ImportResult:
        if not command.emr_patient_ids:
            raise InvalidInput("ecw_patient_ids must name at least one patient")
        if len(command.emr_patient_ids) > MAX_IMPORT:
            raise InvalidInput(f"import at most {MAX_IMPORT} patients at a time")
        imported: list[Patient] = []
        skipped: list[str] = []
        errors: list[ImportError_] = []
        for emr_id in dict.fromkeys(command.emr_patient_ids):
            async with self._uow as uow:
                if await uow.patients.by_emr_id(emr_id) is not None:
                    skipped.append(emr_id)
                    continue
            source = await self._emr.read_patient(emr_id)
            if source is None:
                errors.append(ImportError_(emr_id, "patient not found in the EMR"))
                continue
            patient = patient_from_emr(self._ids.new_id(), source, self._clock.now())
            async with self._uow as uow:
                await uow.patients.add(patient)
                await uow.commit()
            imported.append(patient)
        await self._auditor.record(
            command.actor, "patient.import", "Patient", [p.id for p in imported],
            imported=str(len(imported)), skipped=str(len(skipped)), errors=str(len(errors)),
        )
        return ImportResult(tuple(imported), tuple(skipped), tuple(errors))


@dataclass(frozen=True)
class BrowseEmrPatientsQuery:
    page: int
    page_size: int
    actor: Actor


class BrowseEmrPatients:
    """A page of the EMR's patients, for choosing whom to import."""

    def __init__(self, emr: EmrGateway, auditor: Auditor) -> None:
        self._emr = emr
        self._auditor = auditor

    async def __call__(self, query: BrowseEmrPatientsQuery) -> EmrPatientPage:
        if query.page < 1 or not 1 <= query.page_size <= MAX_PAGE_SIZE:
            raise InvalidInput(f"page must be >= 1 and page_size 1-{MAX_PAGE_SIZE}")
        page = await self._emr.search_patients(query.page, query.page_size)
        await self._auditor.record(
            query.actor, "emr.patient.search", "Patient",
            [p.emr_patient_id for p in page.patients], page=str(query.page),
        )
        return page
