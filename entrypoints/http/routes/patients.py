"""Patients and their readings."""

from __future__ import annotations

from dishka import FromDishka
from litestar import get
from litestar.params import FromPath

from application.context import Actor
from application.queries import PageQuery, PatientQueries
from entrypoints.http import dto
from entrypoints.http.mapping import patient_out, reading_out
from entrypoints.http.paging import Page, PageSize
from entrypoints.http.routes import ApiController


class PatientController(ApiController):
    """Patients and their readings."""

    @get("/api/v1/patients", operation_id="listPatients", tags=["patients"], summary="Monitored patients, paged")
    async def list_patients(
        self,
        actor: FromDishka[Actor],
        queries: FromDishka[PatientQueries],
        page: int = Page,
        page_size: int = PageSize,
    ) -> dto.PatientsPage:
        patients, total = await queries.list_patients(PageQuery(actor, page, page_size))
        return dto.Page(page, page_size, total, [patient_out(p) for p in patients])

    @get("/api/v1/patients/{patient_id:str}",
         operation_id="getPatient", tags=["patients"], summary="One patient with assigned devices")
    async def get_patient(
        self,
        actor: FromDishka[Actor],
        patient_id: FromPath[str],
        queries: FromDishka[PatientQueries],
    ) -> dto.PatientDetailOut:
        detail = await queries.patient(actor, patient_id)
        p = detail.patient
        return dto.PatientDetailOut(
            id=p.id, name=p.name, birth_date=p.birth_date, mrn=p.mrn, emr_patient_id=p.emr_patient_id,
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

    @get("/api/v1/patients/{patient_id:str}/readings",
         operation_id="listReadings", tags=["patients"], summary="A patient's readings")
    async def list_readings(
        self,
        actor: FromDishka[Actor],
        patient_id: FromPath[str],
        queries: FromDishka[PatientQueries],
        page: int = Page,
        page_size: int = PageSize,
    ) -> dto.ReadingsPage:
        readings, total = await queries.readings(PageQuery(actor, page, page_size), patient_id)
        return dto.Page(page, page_size, total, [reading_out(r) for r in readings])
