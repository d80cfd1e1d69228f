"""Triage of an accepted reading: alerts (no duplicate open alert per rule and patient within a
window) and their push notifications, queued in the reading's own transaction."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal

from application.tracing import NULL_TRACER
from domain.alerts import Alert, AlertStatus
from domain.ports import IdGenerator, Tracer, UnitOfWork
from domain.readings import Reading, ReadingKind, VitalSign
from domain.sync import OutboxItem, OutboxTopic, SyncStatus
from domain.triage import Thresholds, WeightPoint, triage

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
    """Runs the triage rules on an accepted, attributed reading inside the caller's transaction."""

    def __init__(self, ids: IdGenerator, policy: TriagePolicy, tracer: Tracer = NULL_TRACER) -> None:
        self._ids = ids
        self._policy = policy
        self._tracer = tracer

    async def __call__(
        self, uow: UnitOfWork, reading: Reading, now: datetime, overrides: Mapping[str, Decimal] | None = None,
        practice_id: str | None = None,
    ) -> list[Alert]:
        """`overrides`: the patient's threshold overrides when the caller has read them already;
        `practice_id`: the patient's practice (its alert pushes carry it)."""
        with self._tracer.span("reading.triage") as span:
            raised = await self._triage(uow, reading, now, overrides, practice_id)
            span.set("alerts_raised", len(raised))
            return raised

    async def _triage(
        self, uow: UnitOfWork, reading: Reading, now: datetime, overrides: Mapping[str, Decimal] | None,
        practice_id: str | None,
    ) -> list[Alert]:
        if reading.patient_id is None:
            return []
        thresholds = _with(overrides) if overrides is not None else await effective_thresholds(uow, reading.patient_id)
        findings = triage(reading, thresholds, await self._earlier_weights(uow, reading))
        raised = []
        for finding in findings:
            if await uow.alerts.open_for_rule(reading.patient_id, finding.rule, now - self._policy.dedupe_window):
                continue
            alert = Alert(
                id=self._ids.new_id(), patient_id=reading.patient_id, reading_id=reading.id, rule=finding.rule,
                severity=finding.severity, status=AlertStatus.OPEN, raised_at=now, summary=finding.summary,
            )
            await uow.alerts.add(alert)
            await enqueue_notification(uow, self._ids, alert, now, self._tracer.current_context(), practice_id)
            raised.append(alert)
        return raised

    async def _earlier_weights(self, uow: UnitOfWork, reading: Reading) -> list[WeightPoint]:
        if reading.kind is not ReadingKind.BODY_WEIGHT or reading.patient_id is None:
            return []
        earlier = await uow.readings.between(
            reading.patient_id, reading.measured_at - WEIGHT_HISTORY, reading.measured_at
        )
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
