"""TakeInDeliveries, one delivery at a time: each kept, attributed, validated and queued exactly once."""

from __future__ import annotations

from datetime import timedelta

import pytest

from application.assign_device import AssignDevice, AssignDeviceCommand
from application.context import CLI
from application.import_patients import ImportPatients, ImportSelectedPatients
from application.register_device import RegisterDevice, RegisterDeviceCommand
from application.take_in_deliveries import Arrival, TakeInDeliveries, TakeInDeliveriesCommand
from domain.deliveries import DeliveryStatus, DeviceTelemetry, IncomingDelivery, Malformed
from domain.events import DeliveryTakenIn
from domain.readings import ReadingStatus
from tests.support.phi import leaks
from tests.support.world import World
from tests.unit.conftest import CUFF, NOW, bp

BODY = b'{"raw": "delivery"}'


async def assign_cuff(world: World, start_hours_ago: int = 24, slot: str = "1") -> str:
    imported = await ImportPatients(world.uow, world.emr_directory, world.clock, world.ids, world.auditor)(
        ImportSelectedPatients(("synthetic-patient-0001",), CLI))
    patient_id = imported.imported[0].id
    device = await RegisterDevice(world.uow, world.clock, world.ids, world.auditor)(
        RegisterDeviceCommand(CUFF, "TMB-2092-G", CLI))
    await AssignDevice(world.uow, world.clock, world.ids, world.auditor, world.triage)(AssignDeviceCommand(
        device.id, patient_id, CLI, user_slot=slot, effective_from=NOW - timedelta(hours=start_hours_ago)))
    return patient_id


def take_in(world: World) -> TakeInDeliveries:
    return TakeInDeliveries(world.uow, world.clock, world.ids, world.auditor, world.triage)


async def record(world: World, message: DeviceTelemetry | Malformed, webhook_id: str = "msg_1") -> DeliveryTakenIn:
    """One delivery taken in on its own (a lone webhook)."""
    arrival = Arrival(IncomingDelivery("mioconnect", webhook_id, BODY, message))
    (outcome,) = await take_in(world)(TakeInDeliveriesCommand([arrival]))
    return outcome


async def test_an_assigned_reading_is_accepted_with_one_push_per_observation(world: World) -> None:
    patient_id = await assign_cuff(world)
    event = await record(world, bp())
    assert event.status is DeliveryStatus.ACCEPTED
    reading = world.db.readings[event.reading_id or ""]
    assert (reading.status, reading.patient_id) == (ReadingStatus.ACCEPTED, patient_id)
    pushes = [i for i in world.db.outbox.values() if i.reading_id == reading.id]
    assert sorted(i.code or "" for i in pushes) == ["85354-9", "8867-4"]
    assert {i.status.value for i in pushes} == {"pending"}
    assert world.db.deliveries[event.delivery_id].status is DeliveryStatus.ACCEPTED


async def test_a_repeated_webhook_id_is_a_duplicate_and_stores_nothing_new(world: World) -> None:
    await assign_cuff(world)
    first = await record(world, bp())
    commits = world.store.commits
    again = await record(world, bp(), webhook_id="msg_1")
    assert again.status is DeliveryStatus.DUPLICATE
    assert again.delivery_id == first.delivery_id
    assert (len(world.db.readings), len(world.db.deliveries), len(world.db.outbox)) == (1, 1, 2)
    assert world.store.commits == commits + 1  # the duplicate transaction changes nothing


async def test_the_same_reading_under_another_webhook_id_is_a_duplicate(world: World) -> None:
    await assign_cuff(world)
    await record(world, bp())
    again = await record(world, bp(), webhook_id="msg_2")
    assert again.status is DeliveryStatus.DUPLICATE
    assert (len(world.db.readings), len(world.db.deliveries)) == (1, 2)


async def test_an_unknown_device_is_quarantined_and_remembered(world: World) -> None:
    event = await record(world, bp())
    assert event.status is DeliveryStatus.QUARANTINED
    (device,) = world.db.devices.values()
    assert (device.gateway_device_id, device.registered) == (CUFF, False)
    assert world.db.readings[event.reading_id or ""].patient_id is None
    assert not world.db.outbox


async def test_a_reading_before_the_assignment_started_is_quarantined(world: World) -> None:
    await assign_cuff(world, start_hours_ago=1)
    event = await record(world, bp(at=NOW - timedelta(hours=2)))
    assert event.status is DeliveryStatus.QUARANTINED


async def test_another_user_slot_is_not_attributed(world: World) -> None:
    await assign_cuff(world, slot="1")
    assert (await record(world, bp(slot="2"))).status is DeliveryStatus.QUARANTINED


@pytest.mark.parametrize(
    ("telemetry", "reason"),
    [(bp(is_test=True), "test message"), (bp(problem="device could not measure"), "could not measure"),
     (bp(sys_=80, dia=90), "systolic not above diastolic"), (bp(at=NOW + timedelta(hours=1)), "future")],
)
async def test_unusable_readings_are_kept_as_discarded_and_never_queued(
    world: World, telemetry: DeviceTelemetry, reason: str
) -> None:
    await assign_cuff(world)
    event = await record(world, telemetry)
    assert event.status is DeliveryStatus.DISCARDED
    assert reason in (event.reason or "")
    assert world.db.readings[event.reading_id or ""].status is ReadingStatus.DISCARDED
    assert not world.db.outbox


async def test_an_unparseable_body_is_kept_raw_as_rejected(world: World) -> None:
    event = await record(world, Malformed("body is not valid JSON"))
    assert (event.status, event.reason) == (DeliveryStatus.REJECTED, "body is not valid JSON")
    kept = world.db.deliveries[event.delivery_id]
    assert (kept.body, kept.status) == (BODY, DeliveryStatus.REJECTED)


async def test_an_unknown_message_type_is_kept_and_reported(world: World) -> None:
    telemetry = DeviceTelemetry(CUFF, "TMB-9", "1", False, None, unknown_type="thermometer_measure")
    event = await record(world, telemetry)
    assert event.status is DeliveryStatus.DISCARDED
    assert "thermometer_measure" in (event.reason or "")
    assert len(world.db.deliveries) == 1


async def test_audit_entries_hold_ids_only(world: World) -> None:
    await assign_cuff(world)
    await record(world, bp(sys_=186, dia=124))
    text = repr(world.audit.entries)
    assert world.audit.actions()[-1] == "webhook.delivery"
    assert leaks(text, (CUFF,), ("186", "124")) == []
