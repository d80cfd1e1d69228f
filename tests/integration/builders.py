"""Small builders of domain objects for the repository tests (every field filled where it matters)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

from domain.deliveries import Delivery, DeliveryStatus
from domain.devices import Device, DeviceAssignment
from domain.patients import Patient
from domain.ports import UnitOfWork
from domain.readings import Measurement, Quantity, Reading, ReadingKind, ReadingStatus, Unit, VitalSign
from domain.sync import OutboxItem, OutboxTopic, SyncStatus

T0 = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)
EASTERN = timezone(timedelta(hours=-5))


def new_id() -> str:
    return str(uuid.uuid4())


def patient(emr_id: str | None = None, imported_at: datetime = T0) -> Patient:
    return Patient(
        id=new_id(), emr_patient_id=emr_id or f"emr-{uuid.uuid4().hex[:8]}", name="Synthetic Patient",
        birth_date=date(1950, 2, 28), mrn="MRN-0001", phone="+1-555-0100", address="1 Main St",
        active=True, imported_at=imported_at, updated_at=imported_at + timedelta(minutes=1),
    )


def device(gateway_id: str | None = None) -> Device:
    return Device(
        id=new_id(), gateway_device_id=gateway_id or f"86{uuid.uuid4().int % 10**13:013d}",
        model_number="TMB-2092-G", registered_at=T0, first_seen_at=T0 + timedelta(hours=1),
        last_seen_at=T0 + timedelta(hours=2), battery_percent=87, signal_bars=4, firmware="1.2.3",
    )


def assignment(device_id: str, patient_id: str, start: datetime = T0, slot: str = "1") -> DeviceAssignment:
    return DeviceAssignment(id=new_id(), device_id=device_id, patient_id=patient_id, user_slot=slot,
                            effective_from=start)


def blood_pressure(measured_at: datetime, systolic: str = "128", diastolic: str = "82") -> Measurement:
    return Measurement(
        kind=ReadingKind.BLOOD_PRESSURE, measured_at=measured_at,
        values={
            VitalSign.SYSTOLIC: Quantity(Decimal(systolic), Unit.MM_HG),
            VitalSign.DIASTOLIC: Quantity(Decimal(diastolic), Unit.MM_HG),
            VitalSign.PULSE: Quantity(Decimal("71.50"), Unit.PER_MIN),
        },
        context={"irregular_heartbeat": "false", "hand": "left"},
    )


def reading(
    device_id: str, patient_id: str | None, measured_at: datetime, *, slot: str = "1",
    status: ReadingStatus = ReadingStatus.ACCEPTED, delivery_id: str | None = None,
) -> Reading:
    return Reading(
        id=new_id(), device_id=device_id, user_slot=slot, measurement=blood_pressure(measured_at),
        status=status, patient_id=patient_id, recorded_at=T0 + timedelta(seconds=3),
        delivery_id=delivery_id, reason=None if status is ReadingStatus.ACCEPTED else "a reason",
    )


def delivery(webhook_id: str | None = None, source: str = "mioconnect") -> Delivery:
    return Delivery(
        id=new_id(), source=source, webhook_id=webhook_id or f"msg_{uuid.uuid4().hex}", received_at=T0,
        body=b'{"deviceId": "x"}\xff\x00', status=DeliveryStatus.RECEIVED,
    )


def outbox_item(
    *, reading_id: str | None = None, patient_id: str | None = None, due: datetime = T0,
    topic: str = OutboxTopic.EMR_PUSH, status: SyncStatus = SyncStatus.PENDING,
    code: str | None = "85354-9", created_at: datetime = T0, practice_id: str | None = None,
) -> OutboxItem:
    return OutboxItem(
        id=new_id(), topic=topic, status=status, created_at=created_at, updated_at=created_at,
        next_attempt_at=due, reading_id=reading_id, patient_id=patient_id, code=code,
        trace_context="00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", practice_id=practice_id,
    )


async def seeded(uow: UnitOfWork) -> tuple[Patient, Device]:
    """A committed patient and device, the parents most rows point to."""
    async with uow:
        p, d = patient(), device()
        await uow.patients.add(p)
        await uow.devices.add(d)
        await uow.commit()
    return p, d


async def seeded_reading(uow: UnitOfWork) -> tuple[Patient, Device, Reading]:
    """A committed patient, device and accepted reading (for outbox items and alerts)."""
    p, d = await seeded(uow)
    r = reading(d.id, p.id, T0.astimezone(EASTERN))
    async with uow:
        assert await uow.readings.add_if_new(r)
        await uow.commit()
    return p, d, r
