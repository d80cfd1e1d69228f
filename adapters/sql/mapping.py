"""Explicit mapping between table rows and the frozen domain objects."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from functools import cache
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import RowMapping

from domain.alerts import Alert, AlertStatus, Severity
from domain.deliveries import Delivery, DeliveryStatus
from domain.devices import Device, DeviceAssignment
from domain.notifications import Platform, PushToken
from domain.patients import Patient
from domain.readings import Measurement, Quantity, Reading, ReadingKind, ReadingStatus, Unit, VitalSign
from domain.sync import OutboxItem, SyncAttempt, SyncStatus, topic_of
from domain.users import Role, User

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

Row = Mapping[str, Any]
Found = Mapping[Any, Any]  # a row read back: SQLAlchemy's RowMapping, or a driver record (or it as a dict)
T = TypeVar("T", bound="DataclassInstance")
MINUTE = timedelta(minutes=1)


@cache
def _field_names(cls: type[DataclassInstance]) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls))


def build(cls: type[T], row: Found, **converted: Any) -> T:
    """A dataclass from the row's columns of the same names (other columns are ignored)."""
    values = {name: row[name] for name in _field_names(cls) if name in row}
    return cls(**{**values, **converted})


def patient_row(patient: Patient) -> Row:
    return vars(patient).copy()


def patient_of(row: RowMapping) -> Patient:
    return build(Patient, row)


def device_row(device: Device) -> Row:
    return vars(device).copy()


def device_of(row: Found) -> Device:
    return build(Device, row)


def assignment_row(assignment: DeviceAssignment) -> Row:
    return vars(assignment).copy()


def assignment_of(row: Found) -> DeviceAssignment:
    return build(DeviceAssignment, row)


def user_row(user: User) -> Row:
    return {**vars(user), "role": user.role.value}


def user_of(row: RowMapping) -> User:
    return build(User, row, role=Role(row["role"]))


def delivery_row(delivery: Delivery) -> Row:
    return {**vars(delivery), "status": delivery.status.value}


def delivery_of(row: RowMapping) -> Delivery:
    return build(Delivery, row, body=bytes(row["body"]), status=DeliveryStatus(row["status"]))


def overrides_of(stored: Mapping[str, str]) -> dict[str, Decimal]:
    """A patient's threshold overrides as the JSON column holds them (values as text) read back."""
    return {name: Decimal(value) for name, value in stored.items()}


def alert_row(alert: Alert) -> Row:
    return {**vars(alert), "severity": alert.severity.value, "status": alert.status.value}


def alert_of(row: Found) -> Alert:
    return build(Alert, row, severity=Severity(row["severity"]), status=AlertStatus(row["status"]))


def push_token_row(token: PushToken) -> Row:
    return {**vars(token), "platform": token.platform.value}


def push_token_of(row: RowMapping) -> PushToken:
    return build(PushToken, row, platform=Platform(row["platform"]))


def outbox_row(item: OutboxItem) -> Row:
    return {**vars(item), "topic": str(item.topic), "status": item.status.value}


def outbox_of(row: RowMapping) -> OutboxItem:
    return build(OutboxItem, row, topic=topic_of(row["topic"]), status=SyncStatus(row["status"]))


def attempt_row(attempt: SyncAttempt) -> Row:
    return {**vars(attempt), "status": attempt.status.value}


def attempt_of(row: RowMapping) -> SyncAttempt:
    return build(SyncAttempt, row, status=SyncStatus(row["status"]))


def offset_minutes(measured_at: datetime) -> int:
    """The measurement's UTC offset in minutes (stored beside the UTC time, so the reading reads back as sent)."""
    offset = measured_at.utcoffset()
    if offset is None or offset % MINUTE:
        raise ValueError("a measurement's UTC offset must be a whole number of minutes")
    return offset // MINUTE


def measurement_values(measurement: Measurement) -> dict[str, dict[str, str]]:
    """The values as the JSON column holds them; Decimal as text: JSON numbers would come back as floats."""
    return {sign: {"value": str(q.value), "unit": q.unit} for sign, q in measurement.values.items()}


def reading_row(reading: Reading) -> Row:
    measured = reading.measured_at
    return {
        "id": reading.id, "device_id": reading.device_id, "user_slot": reading.user_slot,
        "kind": reading.kind.value, "measured_at_utc": measured.astimezone(UTC),
        "measured_at_offset_minutes": offset_minutes(measured),
        "measurement_values": measurement_values(reading.measurement),
        "context": dict(reading.measurement.context),
        "status": reading.status.value, "patient_id": reading.patient_id,
        "recorded_at": reading.recorded_at, "delivery_id": reading.delivery_id, "reason": reading.reason,
    }


def reading_of(row: RowMapping | Row) -> Reading:
    offset = timezone(timedelta(minutes=row["measured_at_offset_minutes"]))
    measured_at: datetime = row["measured_at_utc"].astimezone(offset)
    measurement = Measurement(
        kind=ReadingKind(row["kind"]),
        measured_at=measured_at,
        values={
            VitalSign(sign): Quantity(Decimal(q["value"]), Unit(q["unit"]))
            for sign, q in row["measurement_values"].items()
        },
        context=dict(row["context"]),
    )
    return Reading(
        id=row["id"], device_id=row["device_id"], user_slot=row["user_slot"], measurement=measurement,
        status=ReadingStatus(row["status"]), patient_id=row["patient_id"], recorded_at=row["recorded_at"],
        delivery_id=row["delivery_id"], reason=row["reason"],
    )
