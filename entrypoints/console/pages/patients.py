"""Patients: the practice's monitored patients, a search by name (sent in a POST body: names never reach a
URL), and importing patients from the EMR."""

from __future__ import annotations

from dishka import FromDishka
from litestar import get, post
from litestar.response import Redirect, Template

from application.context import Actor
from application.import_patients import (
    BrowseEmrPatients,
    BrowseEmrPatientsQuery,
    ImportPatients,
    ImportResult,
    ImportSelectedPatients,
)
from application.queries import PageQuery, PatientQueries
from domain.emr_connections import NoEmrConnection
from domain.errors import InvalidInput
from domain.patients import DEFAULT_PRACTICE
from domain.ports.emr import EmrError
from entrypoints.console.pages.paging import PageNumber, Paging, estimated, form_page
from entrypoints.console.rendering import ConsoleController, done, page
from entrypoints.http.security import AnyRequest

PAGE_SIZE = 25
IMPORT_PAGE_SIZE = 20
IMPORT_PATH = "/console/patients/import"
EMR_SILENT = "The EMR did not answer. Try again in a moment."


class PatientPages(ConsoleController):
    """The patient list, its search, and the import from the EMR."""

    @get("/console/patients", operation_id="consolePatients")
    async def patients(self, request: AnyRequest, actor: FromDishka[Actor],
                       queries: FromDishka[PatientQueries], page_number: PageNumber = 1) -> Template:
        found, total = await queries.list_patients(PageQuery(actor, page_number, PAGE_SIZE))
        return page(request, "console/patients.html", "Patients", patients=found, search=None,
                    paging=Paging(page_number, PAGE_SIZE, total))

    @post("/console/patients/search", operation_id="consoleSearchPatients")
    async def search(self, request: AnyRequest, actor: FromDishka[Actor],
                     queries: FromDishka[PatientQueries]) -> Template:
        form = await request.form()
        name, page_number = str(form.get("name") or ""), form_page(form.get("page"))
        try:
            found, total = await queries.search_patients(PageQuery(actor, page_number, PAGE_SIZE), name)
        except InvalidInput as refused:
            return page(request, "console/patients.html", "Patients", status_code=422, patients=[], search=name,
                        error=str(refused), paging=Paging(1, PAGE_SIZE, 0))
        return page(request, "console/patients.html", "Patients", patients=found, search=name.strip(),
                    paging=Paging(page_number, PAGE_SIZE, total))

    @get(IMPORT_PATH, operation_id="consoleImportPatients")
    async def import_page(self, request: AnyRequest, actor: FromDishka[Actor],
                          browse: FromDishka[BrowseEmrPatients], queries: FromDishka[PatientQueries],
                          page_number: PageNumber = 1) -> Template:
        return await _import_page(request, actor, browse, queries, page_number)

    @post(IMPORT_PATH, operation_id="consoleImportSelected")
    async def import_selected(self, request: AnyRequest, actor: FromDishka[Actor],
                              import_patients: FromDishka[ImportPatients], browse: FromDishka[BrowseEmrPatients],
                              queries: FromDishka[PatientQueries]) -> Template | Redirect:
        form = await request.form()
        chosen, back = tuple(str(v) for v in form.getall("emr_patient_id", [])), form_page(form.get("page"))
        if not chosen:
            return await _import_page(request, actor, browse, queries, back, status=422,
                                      error="Select at least one patient to import.")
        try:
            result = await import_patients(ImportSelectedPatients(chosen, actor, actor.practice_id or DEFAULT_PRACTICE))
        except InvalidInput as refused:
            return await _import_page(request, actor, browse, queries, back, status=422, error=str(refused))
        except EmrError:  # its text is the EMR's own: not shown
            return await _import_page(request, actor, browse, queries, back, status=502, error=EMR_SILENT)
        return done(f"{IMPORT_PATH}?page={back}", imported_message(result))


def imported_message(result: ImportResult) -> str:
    """How an import went, in counts only (never names)."""
    parts = [f"Imported {len(result.imported)} patient{'' if len(result.imported) == 1 else 's'}."]
    if result.updated:
        parts.append(f"Updated {len(result.updated)} already monitored.")
    if result.skipped:
        parts.append(f"{len(result.skipped)} already monitored, unchanged.")
    if result.errors:
        parts.append(f"{len(result.errors)} not found in the EMR.")
    return " ".join(parts)


async def _import_page(request: AnyRequest, actor: Actor, browse: BrowseEmrPatients,
                       queries: PatientQueries, page_number: int, *, status: int = 200,
                       error: str | None = None) -> Template:
    try:
        result = await browse(BrowseEmrPatientsQuery(page_number, IMPORT_PAGE_SIZE, actor,
                                                     actor.practice_id or DEFAULT_PRACTICE))
    except NoEmrConnection as missing:
        return page(request, "console/patients_import.html", "Import patients", status_code=409, rows=[],
                    paging=Paging(page_number, IMPORT_PAGE_SIZE, 0), error=_sentence(str(missing)))
    except EmrError:
        return page(request, "console/patients_import.html", "Import patients", status_code=502, rows=[],
                    paging=Paging(page_number, IMPORT_PAGE_SIZE, 0),
                    error=EMR_SILENT)
    imported = await queries.imported_among(actor, [p.emr_patient_id for p in result.patients])
    rows = [(p, imported.get(p.emr_patient_id)) for p in result.patients]
    return page(request, "console/patients_import.html", "Import patients", status_code=status, rows=rows,
                paging=estimated(page_number, IMPORT_PAGE_SIZE, len(result.patients), result.total),
                error=error)


def _sentence(message: str) -> str:
    return message[:1].upper() + message[1:] + "."
