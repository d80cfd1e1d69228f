"""BillingReport: each monitored patient's billable CPT codes for a month, with the reasons."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from application.auditing import Auditor
from application.context import Actor
from domain.errors import InvalidInput
from domain.patients import Patient
from domain.ports import Clock, UnitOfWork
from domain.rpm_billing import BillingInputs, ManagementTime, MonthlyBilling, month_end, monthly_billing

MAX_PATIENTS = 10_000


@dataclass(frozen=True)
class PatientBilling:
    patient: Patient
    billing: MonthlyBilling


def parse_month(text: str) -> date:
    try:
        return datetime.strptime(text, "%Y-%m").date()
    except ValueError:
        raise InvalidInput("month must look like 2026-11") from None


class BillingReport:
    def __init__(self, uow: UnitOfWork, clock: Clock, auditor: Auditor) -> None:
        self._uow = uow
        self._clock = clock
        self._auditor = auditor

    async def __call__(self, actor: Actor, month_start: date) -> list[PatientBilling]:
        as_of = self._clock.now().date()
        if month_start > as_of:
            raise InvalidInput("that month has not started yet")
        results = []
        async with self._uow as uow:
            patients, _ = await uow.patients.list(0, MAX_PATIENTS, actor.practice_id)
            for patient in patients:
                inputs = await self._inputs(uow, patient, month_start, as_of)
                if inputs.episode_start is not None:
                    results.append(PatientBilling(patient, monthly_billing(inputs)))
        await self._auditor.record(actor, "billing.read", "Patient", [r.patient.id for r in results],
                                   month=month_start.strftime("%Y-%m"))
        return results

    async def _inputs(self, uow: UnitOfWork, patient: Patient, month_start: date, as_of: date) -> BillingInputs:
        assignments = await uow.devices.assignments_of_patient(patient.id)
        episode = min((a.effective_from for a in assignments), default=None)
        last = month_end(month_start)
        until = datetime.combine(last + timedelta(days=1), time(), UTC)
        readings = await uow.readings.between(patient.id, episode, until) if episode else []
        consent = await uow.care.consent(patient.id)
        entries = await uow.care.time_entries(patient.id, month_start, last + timedelta(days=1))
        return BillingInputs(
            month_start=month_start, as_of=as_of,
            consent_on=consent.recorded_at.date() if consent and consent.consented else None,
            episode_start=episode.date() if episode else None,
            reading_days=frozenset(r.measured_at.date() for r in readings),
            management=tuple(ManagementTime(e.performed_on, e.minutes, e.interactive) for e in entries),
        )
