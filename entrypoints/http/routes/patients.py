"""Patients, their readings and the EMR sync status of those readings."""

from __future__ import annotations

from dishka import FromDishka
from litestar import Request, get, post
from litestar.params import FromPath

from application.queries import PageQuery, PatientQueries
from application.retry_sync import RetrySyncItem
from domain.users import Role
from entrypoints.http import dto
from entrypoints.http.mapping import patient_out, reading_out, sync_item_out
from entrypoints.http.paging import Page, PageSize
from entrypoints.http.security import actor_of, requires_role


@get("/api/v1/patients", tags=["patients"], summary="Monitored patients, paged")
async def list_patients(
    request: Request,  # type: ignore[type-arg]
    queries: FromDishka[PatientQueries],
    page: int = Page,
    page_size: int = PageSize,
) -> dto.PatientsPage:
    patients, total = await queries.list_patients(PageQuery(actor_of(request), page, page_size))
    return dto.PatientsPage(page, page_size, total, [patient_out(p) for p in patients])


@get("/api/v1/patients/{patient_id:str}", tags=["patients"], summary="One patient with assigned devices")
async def get_patient(
    request: Request,  # type: ignore[type-arg]
    patient_id: FromPath[str],
    queries: FromDishka[PatientQueries],
) -> dto.PatientDetailOut:
    detail = await queries.patient(actor_of(request), patient_id)
    p = detail.patient
    return dto.PatientDetailOut(
        id=p.id, name=p.name, birth_date=p.birth_date, mrn=p.mrn, ecw_fhir_id=p.emr_patient_id,
        active=p.active, phone=p.phone, address=p.address,
        devices=[
            dto.AssignedDeviceOut(
                device_id=device.id, gateway_device_id=device.gateway_device_id,
                model_number=device.model_number, user_slot=a.user_slot,
                effective_from=a.effective_from,
            )
            for a, device in detail.devices
        ],
    )


@get("/api/v1/patients/{patient_id:str}/readings", tags=["patients"], summary="A patient's readings")
async def list_readings(
    request: Request,  # type: ignore[type-arg]
    patient_id: FromPath[str],
    queries: FromDishka[PatientQueries],
    page: int = Page,
    page_size: int = PageSize,
) -> dto.ReadingsPage:
    readings, total = await queries.readings(PageQuery(actor_of(request), page, page_size), patient_id)
    return dto.ReadingsPage(page, page_size, total, [reading_out(r) for r in readings])


@get(
    "/api/v1/patients/{patient_id:str}/sync-status", tags=["patients"],
    summary="Every EMR push for the patient's readings, with HTTP status and EMR id",
)
async def sync_status(
    request: Request,  # type: ignore[type-arg]
    patient_id: FromPath[str],
    queries: FromDishka[PatientQueries],
) -> dto.SyncStatusOut:
    items = await queries.sync_status(actor_of(request), patient_id)
    return dto.SyncStatusOut(patient_id, [sync_item_out(i) for i in items])


@post("/api/v1/sync/{item_id:str}/retry", tags=["patients"], status_code=200,
      guards=[requires_role(Role.ADMIN)], summary="Send a dead sync item again (admins)")
async def retry_sync_item(
    request: Request,  # type: ignore[type-arg]
    item_id: FromPath[str],
    retry: FromDishka[RetrySyncItem],
) -> dto.SyncItemOut:
    return sync_item_out(await retry(actor_of(request), item_id))
