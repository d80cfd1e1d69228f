"""What a verified delivery becomes: the rules shared by the webhook path and a batch sync's pages."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING

from domain.deliveries import Delivery, DeliveryStatus, DeviceTelemetry
from domain.devices import Device, DeviceAssignment, assignment_at
from domain.events import ReadingRecorded
from domain.ports import IdGenerator, UnitOfWork
from domain.readings import Measurement, Reading, ReadingStatus
from domain.storage_limits import storable_webhook_id
from domain.validation import discard_reason

if TYPE_CHECKING:
    from application.record_device_status import RecordStatusDelivery
    from application.record_reading import RecordDelivery

STATUS_OF: dict[ReadingStatus, DeliveryStatus] = {
    ReadingStatus.ACCEPTED: DeliveryStatus.ACCEPTED,
    ReadingStatus.QUARANTINED: DeliveryStatus.QUARANTINED,
    ReadingStatus.DISCARDED: DeliveryStatus.DISCARDED,
}
UNASSIGNED = "device not assigned to a patient at measurement time"
ALREADY_RECORDED = "reading already recorded"


def received(ids: IdGenerator, command: RecordDelivery | RecordStatusDelivery, now: datetime) -> Delivery:
    """The raw delivery as kept before anything else is decided about it (an id the store cannot
    hold as-is kept as its stable surrogate)."""
    return Delivery(id=ids.new_id(), source=command.source, webhook_id=storable_webhook_id(command.webhook_id),
                    received_at=now, body=command.body, status=DeliveryStatus.RECEIVED)


async def repeated(uow: UnitOfWork, delivery: Delivery) -> ReadingRecorded:
    """The outcome of a delivery whose webhook id was received before: the first one's delivery and reading."""
    existing = await uow.deliveries.by_webhook_id(delivery.source, delivery.webhook_id)
    return ReadingRecorded(existing.id if existing else delivery.id, DeliveryStatus.DUPLICATE,
                           existing.reading_id if existing else None, "webhook id already received")


def unsupported(delivery: Delivery, telemetry: DeviceTelemetry) -> ReadingRecorded:
    """A well-formed message that carries no measurement we know: kept and reported as discarded."""
    reason = f"unsupported message type {telemetry.unknown_type or 'unknown'}"
    return ReadingRecorded(delivery.id, DeliveryStatus.DISCARDED, None, reason)


def new_reading(
    ids: IdGenerator, delivery: Delivery, telemetry: DeviceTelemetry, measurement: Measurement, device: Device,
    history: Iterable[DeviceAssignment], now: datetime,
) -> Reading:
    """The reading, attributed to the patient the device's slot was assigned to when it was measured,
    and accepted, quarantined (no such assignment) or discarded (not a usable patient measurement)."""
    assignment = assignment_at(history, telemetry.user_slot, measurement.measured_at)
    reason = discard_reason(measurement, now, is_test=telemetry.is_test, device_problem=telemetry.device_problem)
    if reason:
        status = ReadingStatus.DISCARDED
    elif assignment is None:
        status, reason = ReadingStatus.QUARANTINED, UNASSIGNED
    else:
        status = ReadingStatus.ACCEPTED
    return Reading(
        id=ids.new_id(), device_id=device.id, user_slot=telemetry.user_slot, measurement=measurement,
        status=status, patient_id=assignment.patient_id if assignment else None, recorded_at=now,
        delivery_id=delivery.id, reason=reason,
    )


def recorded(delivery: Delivery, reading: Reading) -> ReadingRecorded:
    return ReadingRecorded(delivery.id, STATUS_OF[reading.status], reading.id, reading.reason)
