"""The vitals report of one patient over a period (the data behind JSON, CSV and the trend chart)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from application.access import patient_for
from application.auditing import Auditor
from application.context import Actor
from application.triage_reading import effective_thresholds
from domain.errors import InvalidInput
from domain.ports import UnitOfWork
from domain.readings import Reading
from domain.triage import Thresholds

MAX_PERIOD = timedelta(days=366)


@dataclass(frozen=True)
class VitalsReportQuery:
    actor: Actor
    patient_id: str
    start: datetime
    end: datetime


@dataclass(frozen=True)
class VitalsReport:
    patient_id: str
    start: datetime
    end: datetime
    readings: Sequence[Reading]
    thresholds: Thresholds


class ReportVitals:
    def __init__(self, uow: UnitOfWork, auditor: Auditor) -> None:
        self._uow = uow
        self._auditor = auditor

    async def __call__(self, query: VitalsReportQuery) -> VitalsReport:
        if query.start.tzinfo is None or query.end.tzinfo is None:
            raise InvalidInput("from and to must carry a UTC offset")
        if not query.start < query.end or query.end - query.start > MAX_PERIOD:
            raise InvalidInput("from must be before to, at most 366 days apart")
        async with self._uow as uow:
            await patient_for(uow, query.actor, query.patient_id)
            readings = await uow.readings.between(query.patient_id, query.start, query.end)
            thresholds = await effective_thresholds(uow, query.patient_id)
        await self._auditor.record(query.actor, "report.vitals", "Patient", [query.patient_id],
                                   readings=str(len(readings)))
        return VitalsReport(query.patient_id, query.start, query.end, readings, thresholds)
