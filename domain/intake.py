"""What a verified delivery becomes — pure rules, no I/O; the intake use case supplies what they need.

A telemetry message becomes a reading attributed to the patient its device slot served when it was
measured: accepted, quarantined (nobody was assigned) or discarded (not a usable patient value). A
status report updates its device. A malformed body, or a message type we do not know, is kept and
reported with its reason.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime

from domain.deliveries import DeliveryStatus, DeviceStatusReport, DeviceTelemetry
from domain.devices import Device, DeviceAssignment, assignment_at
from domain.events import DeliveryTakenIn
from domain.readings import Measurement, Reading, ReadingStatus
from domain.validation import discard_reason

UNASSIGNED = "device not assigned to a patient at measurement time"
ALREADY_RECORDED = "reading already recorded"
WEBHOOK_REPEATED = "webhook id already received"
# members read per reading, looked up once: on Python 3.11 `Enum.MEMBER` goes through EnumType's __getattr__ hook
_ACCEPTED, _QUARANTINED, _DISCARDED = ReadingStatus.ACCEPTED, ReadingStatus.QUARANTINED, ReadingStatus.DISCARDED


STATUS_OF: dict[ReadingStatus, DeliveryStatus] = {
    ReadingStatus.ACCEPTED: DeliveryStatus.ACCEPTED,
    ReadingStatus.QUARANTINED: DeliveryStatus.QUARANTINED,
    ReadingStatus.DISCARDED: DeliveryStatus.DISCARDED,
}


def unsupported(delivery_id: str, telemetry: DeviceTelemetry) -> DeliveryTakenIn:
    """A well-formed message that carries no measurement we know: kept and reported as discarded."""
    reason = f"unsupported message type {telemetry.unknown_type or 'unknown'}"
    return DeliveryTakenIn(delivery_id, DeliveryStatus.DISCARDED, None, reason)


def rejected(delivery_id: str, reason: str) -> DeliveryTakenIn:
    return DeliveryTakenIn(delivery_id, DeliveryStatus.REJECTED, None, reason)


def attributed_reading(
    telemetry: DeviceTelemetry, measurement: Measurement, *, reading_id: str, delivery_id: str | None,
    device: Device, history: Iterable[DeviceAssignment], now: datetime,
) -> Reading:
    """The reading, attributed to the patient the device's slot was assigned to when it was measured,
    and accepted, quarantined (no such assignment) or discarded (not a usable patient measurement)."""
    assignment = assignment_at(history, telemetry.user_slot, measurement.measured_at)
    reason = discard_reason(measurement, now, is_test=telemetry.is_test, device_problem=telemetry.device_problem)
    if reason:
        status = _DISCARDED
    elif assignment is None:
        status, reason = _QUARANTINED, UNASSIGNED
    else:
        status = _ACCEPTED
    return Reading(
        id=reading_id, device_id=device.id, user_slot=telemetry.user_slot, measurement=measurement,
        status=status, patient_id=assignment.patient_id if assignment else None, recorded_at=now,
        delivery_id=delivery_id, reason=reason,
    )


def released(reading: Reading, history: Iterable[DeviceAssignment]) -> Reading | None:
    """A quarantined reading accepted for the patient its slot now turns out to have served when it was
    measured (an assignment made later, effective from before the measurement); None while nobody did."""
    if reading.status is not ReadingStatus.QUARANTINED:
        return None
    assignment = assignment_at(history, reading.user_slot, reading.measured_at)
    if assignment is None:
        return None
    return replace(reading, status=ReadingStatus.ACCEPTED, patient_id=assignment.patient_id, reason=None)


def recorded(delivery_id: str, reading: Reading) -> DeliveryTakenIn:
    return DeliveryTakenIn(delivery_id, STATUS_OF[reading.status], reading.id, reading.reason)


def with_status(device: Device, report: DeviceStatusReport) -> Device:
    """The device after its own status report: what it reported replaces what we knew; last seen moves up."""
    seen = device.last_seen_at
    last_seen = report.reported_at if seen is None else max(seen, report.reported_at)
    return replace(
        device,
        battery_percent=report.battery_percent if report.battery_percent is not None else device.battery_percent,
        signal_bars=report.signal_bars if report.signal_bars is not None else device.signal_bars,
        firmware=report.firmware or device.firmware,
        last_seen_at=last_seen,
    )
