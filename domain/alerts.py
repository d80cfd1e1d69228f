"""Triage alerts raised by out-of-range readings and their lifecycle: open → acknowledged → resolved."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from domain.errors import Conflict, InvalidInput

ACTION_REVIEW = "review_alert"
MAX_ESCALATION_LEVEL = 2  # 0: the practice's clinicians, 1: escalated again to them, 2: administrators


class Severity(StrEnum):
    WARNING = "warning"
    CRITICAL = "critical"


class AlertStatus(StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"


@dataclass(frozen=True)
class Alert:
    """An alert for a patient, raised by one rule on one reading."""

    id: str
    patient_id: str
    reading_id: str
    rule: str
    severity: Severity
    status: AlertStatus
    raised_at: datetime
    acknowledged_by: str | None = None
    acknowledged_at: datetime | None = None
    resolved_by: str | None = None
    resolved_at: datetime | None = None
    resolution_note: str | None = None
    summary: str = ""
    escalation_level: int = 0
    escalated_at: datetime | None = None
    no_push_target: bool = False


def acknowledge(alert: Alert, user_id: str, now: datetime) -> Alert:
    if alert.status is not AlertStatus.OPEN:
        raise Conflict(f"alert is already {alert.status.value}")
    return replace(alert, status=AlertStatus.ACKNOWLEDGED, acknowledged_by=user_id, acknowledged_at=now)


def resolve(alert: Alert, user_id: str, now: datetime, note: str) -> Alert:
    """Resolving an open alert acknowledges it too; a note saying what was done is required."""
    if alert.status is AlertStatus.RESOLVED:
        raise Conflict("alert is already resolved")
    if not note.strip():
        raise InvalidInput("a resolution note is required")
    acknowledged = alert if alert.status is AlertStatus.ACKNOWLEDGED else acknowledge(alert, user_id, now)
    return replace(acknowledged, status=AlertStatus.RESOLVED, resolved_by=user_id, resolved_at=now,
                   resolution_note=note.strip())


def due_for_escalation(alert: Alert, now: datetime, after: timedelta) -> bool:
    """A critical alert nobody acknowledged within `after` (since raised or last escalated)."""
    if alert.severity is not Severity.CRITICAL or alert.status is not AlertStatus.OPEN:
        return False
    if alert.escalation_level >= MAX_ESCALATION_LEVEL:
        return False
    return (alert.escalated_at or alert.raised_at) + after <= now


def escalated(alert: Alert, now: datetime) -> Alert:
    return replace(alert, escalation_level=alert.escalation_level + 1, escalated_at=now)
