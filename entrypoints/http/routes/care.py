"""RPM consent and management time, recorded per patient for billing."""

from __future__ import annotations

from dishka import FromDishka
from litestar import post, put
from litestar.params import FromPath, JSONBody

from application.care import CareRecords, ConsentCommand, TimeEntryCommand
from application.context import Actor
from entrypoints.http import dto
from entrypoints.http.routes import ApiController


class CareController(ApiController):
    """Consent and management time."""

    @put("/api/v1/patients/{patient_id:str}/consent",
         operation_id="recordConsent", tags=["billing"], summary="Record the patient's RPM consent")
    async def record_consent(
        self,
        actor: FromDishka[Actor],
        patient_id: FromPath[str],
        data: JSONBody[dto.ConsentRequest],
        care: FromDishka[CareRecords],
    ) -> dto.ConsentOut:
        consent = await care.record_consent(
            ConsentCommand(actor, patient_id, data.rpm_consent, data.recorded_at))
        return dto.ConsentOut(consent.patient_id, consent.consented, consent.recorded_at, consent.recorded_by)

    @post("/api/v1/patients/{patient_id:str}/time-entries",
          operation_id="logTime", tags=["billing"], summary="Log management time")
    async def log_time(
        self,
        actor: FromDishka[Actor],
        patient_id: FromPath[str],
        data: JSONBody[dto.TimeEntryRequest],
        care: FromDishka[CareRecords],
    ) -> dto.TimeEntryOut:
        entry = await care.log_time(
            TimeEntryCommand(actor, patient_id, data.minutes, data.interactive, data.performed_on))
        return dto.TimeEntryOut(entry.id, entry.patient_id, entry.user_id, entry.performed_on, entry.minutes,
                                entry.interactive)

