"""Repository contract, part 2: readings, deliveries and alerts (fake, SQLite, Postgres)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, timedelta, timezone
from decimal import Decimal

from domain.alerts import Alert, AlertStatus, Severity
from domain.deliveries import DeliveryStatus
from domain.ports import UnitOfWork
from domain.readings import ReadingKind, ReadingStatus, VitalSign
from tests.integration.builders import (
    EASTERN,
    T0,
    delivery,
    new_id,
    reading,
    seeded,
    seeded_reading,
)


async def test_reading_round_trip_keeps_its_offset_and_exact_decimals(uow: UnitOfWork) -> None:
    patient, cuff = await seeded(uow)
    raw = delivery()
    measured = reading(cuff.id, patient.id, (T0 - timedelta(hours=2)).astimezone(EASTERN), delivery_id=raw.id)
    async with uow:
        assert await uow.deliveries.add_if_new(raw)
        assert await uow.readings.add_if_new(measured)
        await uow.commit()
    async with uow:
        found = await uow.readings.get(measured.id)
        assert await uow.readings.get(new_id()) is None
    assert found == measured
    assert found.measured_at.isoformat() == "2026-11-20T08:00:00-05:00"
    assert str(found.value(VitalSign.PULSE).value) == "71.50"  # type: ignore[union-attr]
    assert found.value(VitalSign.SYSTOLIC).value == Decimal("128")  # type: ignore[union-attr]
    assert found.measurement.context == {"irregular_heartbeat": "false", "hand": "left"}


async def test_reading_dedupe_compares_device_slot_instant_and_kind(uow: UnitOfWork) -> None:
    patient, cuff = await seeded(uow)
    at = T0.astimezone(EASTERN)
    first = reading(cuff.id, patient.id, at)
    async with uow:
        assert await uow.readings.add_if_new(first)
        assert not await uow.readings.add_if_new(reading(cuff.id, patient.id, at))
        # the same instant written with another offset is the same measurement
        same_instant = reading(cuff.id, patient.id, T0.astimezone(timezone(timedelta(hours=1))))
        assert not await uow.readings.add_if_new(same_instant)
        assert await uow.readings.add_if_new(reading(cuff.id, None, at, slot="2"))
        assert await uow.readings.add_if_new(reading(cuff.id, patient.id, at + timedelta(seconds=1)))
        other_kind = reading(cuff.id, patient.id, at)
        other_kind = replace(other_kind, measurement=replace(other_kind.measurement, kind=ReadingKind.HEART_RATE))
        assert await uow.readings.add_if_new(other_kind)
        await uow.commit()
    async with uow:
        assert await uow.readings.get(same_instant.id) is None
        assert (await uow.readings.for_patient(patient.id, 0, 10))[1] == 3


async def test_reading_save_and_newest_first_pages_of_a_patient(uow: UnitOfWork) -> None:
    patient, cuff = await seeded(uow)
    stored = [reading(cuff.id, patient.id, (T0 + timedelta(hours=n)).astimezone(EASTERN)) for n in (2, 0, 3, 1)]
    async with uow:
        for r in stored:
            assert await uow.readings.add_if_new(r)
        assert await uow.readings.add_if_new(
            reading(cuff.id, None, T0 - timedelta(days=1), status=ReadingStatus.QUARANTINED)
        )
        withdrawn = replace(stored[0], status=ReadingStatus.ENTERED_IN_ERROR, reason="misattributed")
        await uow.readings.save(withdrawn)
        await uow.commit()
    newest_first = sorted([withdrawn, *stored[1:]], key=lambda r: r.measured_at, reverse=True)
    async with uow:
        page, total = await uow.readings.for_patient(patient.id, 1, 2)
        assert (list(page), total) == (newest_first[1:3], 4)
        assert await uow.readings.get(withdrawn.id) == withdrawn


async def test_quarantined_readings_of_a_device_slot_since_a_moment(uow: UnitOfWork) -> None:
    patient, cuff = await seeded(uow)
    _, other_cuff = await seeded(uow)
    since = T0.astimezone(EASTERN)
    at_since = reading(cuff.id, None, T0, status=ReadingStatus.QUARANTINED)
    later = reading(cuff.id, None, T0 + timedelta(hours=5), status=ReadingStatus.QUARANTINED)
    excluded = [
        reading(cuff.id, None, T0 - timedelta(seconds=1), status=ReadingStatus.QUARANTINED),
        reading(cuff.id, None, T0 + timedelta(hours=1), status=ReadingStatus.QUARANTINED, slot="2"),
        reading(other_cuff.id, None, T0 + timedelta(hours=1), status=ReadingStatus.QUARANTINED),
        reading(cuff.id, patient.id, T0 + timedelta(hours=2)),
        reading(cuff.id, None, T0 + timedelta(hours=3), status=ReadingStatus.DISCARDED),
    ]
    async with uow:
        for r in (later, *excluded, at_since):
            assert await uow.readings.add_if_new(r)
        await uow.commit()
    async with uow:
        assert list(await uow.readings.quarantined(cuff.id, "1", since.astimezone(UTC))) == [at_since, later]
        assert list(await uow.readings.quarantined(cuff.id, "1", since)) == [at_since, later]


async def test_delivery_round_trip_dedupe_and_save(uow: UnitOfWork) -> None:
    first = delivery("msg_1")
    async with uow:
        assert await uow.deliveries.add_if_new(first)
        assert not await uow.deliveries.add_if_new(delivery("msg_1"))
        assert await uow.deliveries.add_if_new(delivery("msg_1", source="batch-sync"))
        await uow.commit()
    async with uow:
        assert await uow.deliveries.by_webhook_id("mioconnect", "msg_1") == first
        assert await uow.deliveries.by_webhook_id("mioconnect", "msg_2") is None
        done = replace(first, status=DeliveryStatus.DISCARDED, reason="control solution")
        await uow.deliveries.save(done)
        await uow.commit()
    async with uow:
        assert await uow.deliveries.by_webhook_id("mioconnect", "msg_1") == done


async def test_alerts_of_a_patient_oldest_first(uow: UnitOfWork) -> None:
    patient, _, measured = await seeded_reading(uow)
    other, _, other_reading = await seeded_reading(uow)

    def alert(patient_id: str, reading_id: str, minutes: int) -> Alert:
        return Alert(
            id=new_id(), patient_id=patient_id, reading_id=reading_id, rule="bp.crisis",
            severity=Severity.CRITICAL, status=AlertStatus.RESOLVED, raised_at=T0 + timedelta(minutes=minutes),
            acknowledged_by=new_id(), acknowledged_at=T0 + timedelta(hours=1), resolved_by=new_id(),
            resolved_at=T0 + timedelta(hours=2), resolution_note="called the patient",
        )

    later, earlier = alert(patient.id, measured.id, 5), alert(patient.id, measured.id, 1)
    async with uow:
        for a in (later, earlier, alert(other.id, other_reading.id, 0)):
            await uow.alerts.add(a)
        await uow.commit()
    async with uow:
        assert list(await uow.alerts.for_patient(patient.id)) == [earlier, later]
        assert list(await uow.alerts.for_patient(new_id())) == []


async def test_an_open_alert_of_a_rule_is_found_only_unresolved_and_within_the_window(uow: UnitOfWork) -> None:
    patient, _, measured = await seeded_reading(uow)
    other, _, other_reading = await seeded_reading(uow)

    def alert(patient_id: str, reading_id: str, rule: str, status: AlertStatus, minutes: int) -> Alert:
        return Alert(id=new_id(), patient_id=patient_id, reading_id=reading_id, rule=rule, severity=Severity.WARNING,
                     status=status, raised_at=T0 + timedelta(minutes=minutes), summary="stage 2")

    acknowledged = alert(patient.id, measured.id, "bp.stage2", AlertStatus.ACKNOWLEDGED, 30)
    async with uow:
        for a in (acknowledged, alert(patient.id, measured.id, "bp.crisis", AlertStatus.RESOLVED, 40),
                  alert(patient.id, measured.id, "bp.crisis", AlertStatus.OPEN, -60),
                  alert(other.id, other_reading.id, "spo2.low", AlertStatus.OPEN, 40)):
            await uow.alerts.add(a)
        await uow.commit()
    async with uow:
        assert await uow.alerts.open_for_rule(patient.id, "bp.stage2", T0) == acknowledged
        assert await uow.alerts.open_for_rule(patient.id, "bp.stage2", T0 + timedelta(minutes=31)) is None
        assert await uow.alerts.open_for_rule(patient.id, "bp.crisis", T0) is None  # resolved, or too old
        assert await uow.alerts.open_for_rule(patient.id, "spo2.low", T0) is None  # another patient's
