"""ImportPatients and BrowseEmrPatients: bring selected EMR patients into monitoring."""

from __future__ import annotations

from dataclasses import dataclass

from application.access import may_see
from application.auditing import Auditor
from application.context import Actor
from application.queries import MAX_PAGE
from domain.errors import InvalidInput
from domain.patients import DEFAULT_PRACTICE, EmrPatient, Patient, patient_from_emr, refreshed_from_emr
from domain.ports import Clock, EmrDirectory, EmrPatientPage, IdGenerator, UnitOfWork
from domain.users import check_practice_id

MAX_IMPORT = 500
MAX_PAGE_SIZE = 100


@dataclass(frozen=True)
class ImportSelectedPatients:
    emr_patient_ids: tuple[str, ...]
    actor: Actor
    practice_id: str = DEFAULT_PRACTICE  # the practice new patients join


@dataclass(frozen=True)
class ImportFailure:
    emr_patient_id: str
    error: str


@dataclass(frozen=True)
class ImportResult:
    imported: tuple[Patient, ...]
    skipped: tuple[str, ...]
    errors: tuple[ImportFailure, ...]
    updated: tuple[Patient, ...] = ()


class ImportPatients:
    """Copy each selected patient's demographics from the practice's own EMR; a re-import refreshes them (name,
    DOB, MRN, phone, address) and is skipped when nothing changed or the patient belongs to a practice the
    actor cannot see. A practice without an EMR connection: NoEmrConnection (never another practice's EMR)."""

    def __init__(
        self, uow: UnitOfWork, directory: EmrDirectory, clock: Clock, ids: IdGenerator, auditor: Auditor
    ) -> None:
        self._uow = uow
        self._directory = directory
        self._clock = clock
        self._ids = ids
        self._auditor = auditor

    async def __call__(self, command: ImportSelectedPatients) -> ImportResult:
        if not command.emr_patient_ids:
            raise InvalidInput("ecw_patient_ids must name at least one patient")
        if len(command.emr_patient_ids) > MAX_IMPORT:
            raise InvalidInput(f"import at most {MAX_IMPORT} patients at a time")
        check_practice_id(command.practice_id)
        emr = await self._directory.gateway(command.practice_id)
        imported: list[Patient] = []
        updated: list[Patient] = []
        skipped: list[str] = []
        errors: list[ImportFailure] = []
        for emr_id in dict.fromkeys(command.emr_patient_ids):
            source = await emr.read_patient(emr_id)
            if source is None:
                errors.append(ImportFailure(emr_id, "patient not found in the EMR"))
                continue
            stored, is_new = await self._store(command, source)
            if stored is None:
                skipped.append(emr_id)
            else:
                (imported if is_new else updated).append(stored)
        await self._auditor.record(
            command.actor, "patient.import", "Patient", [p.id for p in (*imported, *updated)],
            imported=str(len(imported)), updated=str(len(updated)), skipped=str(len(skipped)),
            errors=str(len(errors)),
        )
        return ImportResult(tuple(imported), tuple(skipped), tuple(errors), tuple(updated))

    async def _store(self, command: ImportSelectedPatients, source: EmrPatient) -> tuple[Patient | None, bool]:
        """(the new or refreshed patient, whether new); (None, False) when skipped."""
        now = self._clock.now()
        async with self._uow as uow:
            existing = await uow.patients.by_emr_id(source.emr_patient_id)
            if existing is None:
                created = patient_from_emr(self._ids.new_id(), source, now, command.practice_id)
                await uow.patients.add(created)
                await uow.commit()
                return created, True
            changed = refreshed_from_emr(existing, source, now) if may_see(command.actor, existing) else None
            if changed is None:
                return None, False
            await uow.patients.save(changed)
            await uow.commit()
        return changed, False


@dataclass(frozen=True)
class BrowseEmrPatientsQuery:
    page: int
    page_size: int
    actor: Actor
    practice_id: str  # whose EMR: no default, so no caller browses the `default` practice's by omission


class BrowseEmrPatients:
    """A page of the practice's EMR's patients, for choosing whom to import."""

    def __init__(self, directory: EmrDirectory, auditor: Auditor) -> None:
        self._directory = directory
        self._auditor = auditor

    async def __call__(self, query: BrowseEmrPatientsQuery) -> EmrPatientPage:
        if not 1 <= query.page <= MAX_PAGE or not 1 <= query.page_size <= MAX_PAGE_SIZE:
            raise InvalidInput(f"page must be 1-{MAX_PAGE} and page_size 1-{MAX_PAGE_SIZE}")
        emr = await self._directory.gateway(query.practice_id)
        page = await emr.search_patients(query.page, query.page_size)
        await self._auditor.record(
            query.actor, "emr.patient.search", "Patient",
            [p.emr_patient_id for p in page.patients], page=str(query.page), practice_id=query.practice_id,
        )
        return page
