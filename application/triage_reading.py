"""Triage of accepted readings, a page at a time: alerts (no duplicate open alert per rule and patient
within a window) and their push notifications, queued in the readings' own transaction."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal

from application.tracing import NULL_TRACER
from domain.alerts import Alert, AlertStatus
from domain.ports import IdGenerator, Tracer, UnitOfWork
from domain.readings import Reading, ReadingKind, VitalSign
from domain.sync import OutboxItem, OutboxTopic, SyncStatus
from domain.triage import Finding, Thresholds, WeightPoint, triage

WEIGHT_HISTORY = timedelta(days=7)
DEFAULTS = Thresholds()  # frozen: shared by every reading whose patient overrides nothing


@dataclass(frozen=True)
class TriagePolicy:
    dedupe_window: timedelta = timedelta(hours=24)
    escalate_after: timedelta = timedelta(minutes=15)


async def effective_thresholds(uow: UnitOfWork, patient_id: str) -> Thresholds:
    """Defaults overlaid with the patient's overrides."""
    return _with(await uow.thresholds.get(patient_id))


def _with(overrides: Mapping[str, Decimal]) -> Thresholds:
    return replace(DEFAULTS, **overrides) if overrides else DEFAULTS


class TriageReading:
    """Runs the triage rules on a page of accepted, attributed readings inside the caller's transaction."""

    def __init__(self, ids: IdGenerator, policy: TriagePolicy, tracer: Tracer = NULL_TRACER) -> None:
        self._ids = ids
        self._policy = policy
        self._tracer = tracer

    async def __call__(
        self, uow: UnitOfWork, readings: Sequence[Reading], now: datetime, practices: Mapping[str, str],
        overrides: Mapping[str, Mapping[str, Decimal]] | None = None,
    ) -> list[Alert]:
        """The alerts the readings raised, triaged in order (a later reading sees the alerts an earlier one
        raised); `practices`: the patients' practices by patient id (their alert pushes carry it);
        `overrides`: every patient's threshold overrides, when the caller has read them (else they are read)."""
        with self._tracer.span("reading.triage") as span:  # one per page: a span per reading cost more than its rules
            thresholds = await self._thresholds(uow, readings, overrides)
            attributed = [(r, r.patient_id) for r in readings if r.patient_id is not None]
            # the rules that need no history first: a page in range, the common case, reads and writes nothing
            weight = ReadingKind.BODY_WEIGHT  # looked up once, not per reading (an Enum member's lookup is slow)
            found = {r.id: triage(r, thresholds.get(p, DEFAULTS), ()) for r, p in attributed if r.kind is not weight}
            # a page taken in beside this one reads or raises its patients' alerts and weights first or after
            # this one commits, never both at once (patients locked in id order)
            await uow.alerts.lock_for_triage(sorted({p for r, p in attributed if found.get(r.id, True)}))
            raised: list[Alert] = []
            for reading, patient_id in attributed:
                findings = found.get(reading.id)
                if findings is None:  # a weight: its rules read the patient's earlier weights
                    earlier = await self._earlier_weights(uow, reading, patient_id)
                    findings = triage(reading, thresholds.get(patient_id, DEFAULTS), earlier)
                if findings:
                    raised += await self._raised(uow, reading, patient_id, findings, now, practices.get(patient_id))
            span.set("readings", len(readings))
            span.set("alerts_raised", len(raised))
            return raised

    async def _thresholds(
        self, uow: UnitOfWork, readings: Sequence[Reading], known: Mapping[str, Mapping[str, Decimal]] | None,
    ) -> dict[str, Thresholds]:
        """The thresholds of the patients who override any, by patient id (the others have the defaults)."""
        overrides = known if known is not None else await uow.thresholds.get_many(
            sorted({r.patient_id for r in readings if r.patient_id}))
        return {patient_id: _with(own) for patient_id, own in overrides.items() if own}

    async def _raised(
        self, uow: UnitOfWork, reading: Reading, patient_id: str, findings: Sequence[Finding], now: datetime,
        practice_id: str | None,
    ) -> list[Alert]:
        """An alert for each finding whose rule has no open alert for the patient within the window, queued."""
        raised = []
        for finding in findings:
            if await uow.alerts.open_for_rule(patient_id, finding.rule, now - self._policy.dedupe_window):
                continue
            alert = Alert(
                id=self._ids.new_id(), patient_id=patient_id, reading_id=reading.id, rule=finding.rule,
                severity=finding.severity, status=AlertStatus.OPEN, raised_at=now, summary=finding.summary,
            )
            await uow.alerts.add(alert)
            await enqueue_notification(uow, self._ids, alert, now, self._tracer.current_context(), practice_id)
            raised.append(alert)
        return raised

    @staticmethod
    async def _earlier_weights(uow: UnitOfWork, reading: Reading, patient_id: str) -> list[WeightPoint]:
        if reading.kind is not ReadingKind.BODY_WEIGHT:
            return []
        earlier = await uow.readings.between(patient_id, reading.measured_at - WEIGHT_HISTORY, reading.measured_at)
        return [
            WeightPoint(r.measured_at, weight.value)
            for r in earlier
            if (weight := r.value(VitalSign.BODY_WEIGHT)) is not None
        ]


async def enqueue_notification(
    uow: UnitOfWork, ids: IdGenerator, alert: Alert, now: datetime, trace_context: str | None = None,
    practice_id: str | None = None,
) -> OutboxItem:
    """The alert's push, queued; `practice_id`: its patient's practice."""
    item = OutboxItem(
        id=ids.new_id(), topic=OutboxTopic.NOTIFY_ALERT, status=SyncStatus.PENDING, created_at=now,
        updated_at=now, next_attempt_at=now, patient_id=alert.patient_id, alert_id=alert.id,
        resource_type="PushNotification", trace_context=trace_context, practice_id=practice_id,
    )
    await uow.outbox.add(item)
    return item
