"""Browsing the EMR's patients and importing selected ones (paths as in the eCW tutorial)."""

from __future__ import annotations

from dishka import FromDishka
from litestar import get, post
from litestar.params import JSONBody

from application.access import practice_for
from application.context import Actor
from application.import_patients import (
    MAX_PAGE_SIZE,
    BrowseEmrPatients,
    BrowseEmrPatientsQuery,
    ImportPatients,
    ImportSelectedPatients,
)
from domain.errors import InvalidInput
from domain.patients import DEFAULT_PRACTICE
from entrypoints.http import dto
from entrypoints.http.paging import Page, page_size_param
from entrypoints.http.practice import PracticeParam
from entrypoints.http.routes import ApiController


class EmrPatientController(ApiController):
    """Browsing and importing the EMR's patients."""

    @get("/api/v1/ecw/patients", operation_id="browseEmrPatients", tags=["ecw"], summary="Browse the EMR's patients")
    async def browse_emr_patients(
        self,
        actor: FromDishka[Actor],
        browse: FromDishka[BrowseEmrPatients],
        page: int = Page,
        page_size: int = page_size_param(default=20, maximum=MAX_PAGE_SIZE),
        practice_id: str | None = PracticeParam,
    ) -> dto.EmrPatientsPage:
        result = await browse(BrowseEmrPatientsQuery(page, page_size, actor, practice_for(actor, practice_id)))
        return dto.EmrPatientsPage(
            page=result.page, page_size=result.page_size, total=result.total,
            patients=[
                dto.EmrPatientOut(p.emr_patient_id, p.name, p.birth_date, p.mrn) for p in result.patients
            ],
        )

    @post(
        "/api/v1/patients/import_selected_from_ecw",
        operation_id="importSelectedEmrPatients", tags=["ecw"], status_code=200,
        summary="Import selected EMR patients",
    )
    async def import_selected(
        self,
        actor: FromDishka[Actor],
        data: JSONBody[dto.ImportRequest],
        import_patients: FromDishka[ImportPatients],
    ) -> dto.ImportResponse:
        if actor.practice_id is not None and data.practice_id not in (None, actor.practice_id):
            raise InvalidInput("clinicians import patients into their own practice")
        practice = actor.practice_id or data.practice_id or DEFAULT_PRACTICE
        result = await import_patients(ImportSelectedPatients(tuple(data.ecw_patient_ids), actor, practice))
        return dto.ImportResponse(
            imported=len(result.imported),
            skipped=len(result.skipped),
            errors=[dto.ImportErrorOut(e.emr_patient_id, e.error) for e in result.errors],
            patients=[dto.ImportedPatientOut(p.id, p.emr_patient_id, p.name, p.mrn)
                      for p in (*result.imported, *result.updated)],
            updated=len(result.updated),
        )

