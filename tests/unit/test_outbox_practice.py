"""Every outbox item carries its patient's practice (the relay's fair share and the EMR connection it goes to):
Observations taken in or released from quarantine, their withdrawals, alert pushes and their escalations."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from application.assign_device import AssignDevice, AssignDeviceCommand
from application.context import CLI, Actor
from application.import_patients import ImportPatients, ImportSelectedPatients
from application.push_alerts import EscalateAlerts
from application.register_device import RegisterDevice, RegisterDeviceCommand
from application.triage_reading import TriagePolicy
from application.withdraw_reading import WithdrawReading, WithdrawReadingCommand
from domain.sync import OutboxTopic
from tests.support.world import World
from tests.unit.conftest import CUFF, NOW, bp
from tests.unit.test_record_reading import record

NORTH = "north-clinic"


async def north_patient(world: World) -> str:
    imported = await ImportPatients(world.uow, world.emr_directory, world.clock, world.ids, world.auditor)(
        ImportSelectedPatients(("synthetic-patient-0001",), CLI))
    patient = imported.imported[0]
    world.db.patients[patient.id] = replace(world.db.patients[patient.id], practice_id=NORTH)
    return patient.id


async def assign_north_cuff(world: World, patient_id: str, hours_ago: int = 24) -> None:
    device = await RegisterDevice(world.uow, world.clock, world.ids, world.auditor)(
        RegisterDeviceCommand(CUFF, "TMB-2092-G", CLI, practice_id=NORTH))
    await AssignDevice(world.uow, world.clock, world.ids, world.auditor, world.triage)(AssignDeviceCommand(
        device.id, patient_id, CLI, user_slot="1", effective_from=NOW - timedelta(hours=hours_ago)))


def practices(world: World) -> dict[str, set[str | None]]:
    found: dict[str, set[str | None]] = {}
    for item in world.db.outbox.values():
        found.setdefault(item.topic, set()).add(item.practice_id)
    return found


async def test_a_readings_pushes_its_alert_withdrawals_and_escalations_carry_the_patients_practice(
    world: World,
) -> None:
    await assign_north_cuff(world, await north_patient(world))
    event = await record(world, bp(sys_=190, dia=125))  # a crisis: an alert push too
    await WithdrawReading(world.uow, world.clock, world.ids, world.auditor)(
        WithdrawReadingCommand(event.reading_id or "", Actor("admin-1", "req-1")))
    world.clock.advance(timedelta(hours=1))
    escalated = await EscalateAlerts(world.uow, world.clock, world.ids, TriagePolicy(), world.auditor)()
    assert len(escalated) == 1
    assert sum(i.topic == OutboxTopic.NOTIFY_ALERT for i in world.db.outbox.values()) == 2
    assert practices(world) == {OutboxTopic.EMR_PUSH: {NORTH}, OutboxTopic.EMR_WITHDRAW: {NORTH},
                                OutboxTopic.NOTIFY_ALERT: {NORTH}}


async def test_readings_released_from_quarantine_carry_the_patients_practice(world: World) -> None:
    patient_id = await north_patient(world)
    quarantined = await record(world, bp(at=NOW - timedelta(hours=2)))  # the cuff is nobody's yet
    assert world.db.outbox == {}
    await assign_north_cuff(world, patient_id, hours_ago=3)
    assert {i.reading_id for i in world.db.outbox.values()} == {quarantined.reading_id}
    assert practices(world) == {OutboxTopic.EMR_PUSH: {NORTH}}
