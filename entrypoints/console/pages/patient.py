"""The patient page: demographics, devices, readings (newest first) and their trend charts, thresholds,
consent, management time and the EMR sync items (admins retry dead ones). Another practice's patient
answers the console's 404 page, as a missing one does."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from dishka import FromDishka
from litestar import get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from application.alerts import PatientThresholds
from application.care import CareRecords, ConsentCommand, TimeEntryCommand
from application.context import Actor
from application.queries import PageQuery, PatientQueries
from application.reports import ReportVitals, VitalsReportQuery
from application.retry_sync import RetrySyncItem
from domain.errors import Conflict, InvalidInput
from domain.ports import Clock
from domain.users import Role
from entrypoints.console.pages.paging import PageNumber, Paging
from entrypoints.console.pages.patient_view import (
    charts,
    reading_rows,
    sync_rows,
    threshold_fields,
    threshold_overrides,
    when,
)
from entrypoints.console.rendering import ConsoleController, done, page
from entrypoints.http.security import AnyRequest, requires_role

READINGS_PER_PAGE = 20
CHART_PERIOD = timedelta(days=30)
PATIENT_PATH = "/console/patients/{patient_id:str}"
CONSENT_ANSWERS = ("given", "declined")


@dataclass(frozen=True)
class PatientReads:
    """Everything the patient page reads (each use case audits its own read)."""

    queries: PatientQueries
    thresholds: PatientThresholds
    care: CareRecords
    report: ReportVitals
    clock: Clock

    async def render(self, request: AnyRequest, actor: Actor, patient_id: str, readings_page: int = 1,
                     *, status: int = 200, errors: dict[str, str] | None = None) -> Template:
        detail = await self.queries.patient(actor, patient_id)
        readings, total = await self.queries.readings(PageQuery(actor, readings_page, READINGS_PER_PAGE), patient_id)
        end = self.clock.now()
        report = await self.report(VitalsReportQuery(actor, patient_id, end - CHART_PERIOD, end))
        care = await self.care.overview(actor, patient_id)
        return page(
            request, "console/patient.html", "Patient", status_code=status, patient=detail.patient,
            devices=[(device, when(a.effective_from), a.user_slot) for a, device in detail.devices],
            readings=reading_rows(readings), paging=Paging(readings_page, READINGS_PER_PAGE, total),
            charts=charts(report), chart_days=CHART_PERIOD.days,
            thresholds=threshold_fields(await self.thresholds.get(actor, patient_id)),
            consent=care.consent, consent_at=when(care.consent.recorded_at) if care.consent else None,
            time_entries=care.time_this_month, minutes_this_month=care.minutes_this_month,
            sync=sync_rows(await self.queries.sync_status(actor, patient_id)), errors=errors or {},
            today=end.date().isoformat(),
        )


class PatientPage(ConsoleController):
    """One patient, and the forms that change what is on record for them."""

    @get(PATIENT_PATH, operation_id="consolePatient")
    async def patient(self, request: AnyRequest, actor: FromDishka[Actor], patient_id: FromPath[str],
                      queries: FromDishka[PatientQueries], thresholds: FromDishka[PatientThresholds],
                      care: FromDishka[CareRecords], report: FromDishka[ReportVitals], clock: FromDishka[Clock],
                      page_number: PageNumber = 1) -> Template:
        reads = PatientReads(queries, thresholds, care, report, clock)
        return await reads.render(request, actor, patient_id, page_number)

    @post(f"{PATIENT_PATH}/thresholds", operation_id="consoleSaveThresholds")
    async def save_thresholds(self, request: AnyRequest, actor: FromDishka[Actor],
                              patient_id: FromPath[str], queries: FromDishka[PatientQueries],
                              thresholds: FromDishka[PatientThresholds], care: FromDishka[CareRecords],
                              report: FromDishka[ReportVitals], clock: FromDishka[Clock]) -> Template | Redirect:
        form = await request.form()
        try:
            await thresholds.set(actor, patient_id, threshold_overrides({k: str(v) for k, v in form.items()}))
        except InvalidInput as refused:
            reads = PatientReads(queries, thresholds, care, report, clock)
            return await reads.render(request, actor, patient_id, status=422, errors={"thresholds": str(refused)})
        return done(_back(patient_id, "thresholds"), "Thresholds saved.")

    @post(f"{PATIENT_PATH}/consent", operation_id="consoleRecordConsent")
    async def record_consent(self, request: AnyRequest, actor: FromDishka[Actor], patient_id: FromPath[str],
                             queries: FromDishka[PatientQueries], thresholds: FromDishka[PatientThresholds],
                             care: FromDishka[CareRecords], report: FromDishka[ReportVitals],
                             clock: FromDishka[Clock]) -> Template | Redirect:
        answer = (await request.form()).get("consent")
        if answer not in CONSENT_ANSWERS:
            reads = PatientReads(queries, thresholds, care, report, clock)
            return await reads.render(request, actor, patient_id, status=422,
                                      errors={"consent": "Choose whether consent was given or declined."})
        consented = answer == "given"
        await care.record_consent(ConsentCommand(actor, patient_id, consented))
        return done(_back(patient_id, "consent"), "Consent recorded." if consented else "Declined consent recorded.")

    @post(f"{PATIENT_PATH}/time", operation_id="consoleLogTime")
    async def log_time(self, request: AnyRequest, actor: FromDishka[Actor], patient_id: FromPath[str],
                       queries: FromDishka[PatientQueries], thresholds: FromDishka[PatientThresholds],
                       care: FromDishka[CareRecords], report: FromDishka[ReportVitals],
                       clock: FromDishka[Clock]) -> Template | Redirect:
        form = await request.form()
        try:
            minutes, performed_on = _minutes(form.get("minutes")), _day(form.get("performed_on"))
            await care.log_time(TimeEntryCommand(actor, patient_id, minutes, form.get("interactive") == "yes",
                                                 performed_on))
        except InvalidInput as refused:
            reads = PatientReads(queries, thresholds, care, report, clock)
            return await reads.render(request, actor, patient_id, status=422, errors={"time": str(refused)})
        return done(_back(patient_id, "time"), f"Logged {minutes} minutes.")

    @post(f"{PATIENT_PATH}/sync/{{sync_item_id:str}}/retry", operation_id="consoleRetrySyncItem",
          guards=[requires_role(Role.ADMIN)])
    async def retry(self, actor: FromDishka[Actor], patient_id: FromPath[str], sync_item_id: FromPath[str],
                    queries: FromDishka[PatientQueries], retry: FromDishka[RetrySyncItem]) -> Redirect:
        await queries.patient(actor, patient_id)  # the console's 404 page for a patient the actor cannot see
        try:
            await retry(actor, sync_item_id)
        except Conflict:
            return done(_back(patient_id, "sync"), "That sync item is no longer dead; nothing to retry.")
        return done(_back(patient_id, "sync"), "The sync item will be sent again.")


def _back(patient_id: str, section: str) -> str:
    return f"/console/patients/{patient_id}#{section}"


def _minutes(value: object) -> int:
    try:
        return int(str(value or "").strip())
    except ValueError:
        raise InvalidInput("minutes must be a whole number") from None


def _day(value: object) -> date | None:
    text = str(value or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput("the day must be a date (YYYY-MM-DD)") from None
