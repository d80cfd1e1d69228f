"""The console's alert queue: unresolved alerts with their patients' names, critical first; a poll that finds
the queue unchanged reads no patient and audits nothing."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from application.auditing import Auditor
from application.context import Actor
from domain.alerts import Alert, AlertStatus, Severity
from domain.ports import UnitOfWork

QUEUE_LIMIT = 200  # per status; a queue longer than this is an incident of its own


@dataclass(frozen=True)
class QueueQuery:
    actor: Actor
    known_version: str = ""  # the version the page shows; "" to always get the queue


@dataclass(frozen=True)
class QueuedAlert:
    alert: Alert
    patient_name: str


@dataclass(frozen=True)
class AlertQueue:
    version: str  # changes whenever an alert joins, leaves or changes status
    items: Sequence[QueuedAlert]


def version_of(alerts: Sequence[Alert]) -> str:
    text = "|".join(sorted(f"{a.id}:{a.status.value}" for a in alerts))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _order(alert: Alert) -> tuple[bool, bool, str, str]:
    return (alert.severity is not Severity.CRITICAL, alert.status is not AlertStatus.OPEN,
            alert.raised_at.isoformat(), alert.id)


class ShowAlertQueue:
    """Open and acknowledged alerts of the actor's practice: critical first, then open before acknowledged,
    then oldest first. None when the queue still has `known_version`."""

    def __init__(self, uow: UnitOfWork, auditor: Auditor) -> None:
        self._uow = uow
        self._auditor = auditor

    async def __call__(self, query: QueueQuery) -> AlertQueue | None:
        async with self._uow as uow:
            found: list[Alert] = []
            for status in (AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED):
                page, _ = await uow.alerts.search(status=status.value, severity=None, patient_id=None, offset=0,
                                                  limit=QUEUE_LIMIT, practice_id=query.actor.practice_id)
                found.extend(page)
            version = version_of(found)
            if version == query.known_version:
                return None
            patients = await uow.patients.get_many(sorted({a.patient_id for a in found}))
        found.sort(key=_order)
        await self._auditor.record(query.actor, "alert.queue", "Alert",
                                   [a.id for a in found] + sorted({a.patient_id for a in found}))
        items = [QueuedAlert(a, patients[a.patient_id].name if a.patient_id in patients else "") for a in found]
        return AlertQueue(version, items)
