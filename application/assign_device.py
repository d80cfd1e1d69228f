"""AssignDevice / UnassignDevice: which patient a device's user slot serves, and since when."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from application.access import device_for, may_see, patient_for
from application.auditing import Auditor
from application.context import Actor
from application.intake import IntakePage
from application.triage_reading import TriageReading
from domain.devices import DEFAULT_USER_SLOT, Device, DeviceAssignment
from domain.errors import Conflict, InvalidInput, NotFound
from domain.patients import Patient
from domain.ports import Clock, IdGenerator, UnitOfWork


@dataclass(frozen=True)
class AssignDeviceCommand:
    device_id: str
    patient_id: str
    actor: Actor
    user_slot: str = DEFAULT_USER_SLOT
    effective_from: datetime | None = None


@dataclass(frozen=True)
class DeviceAssigned:
    assignment: DeviceAssignment
    released_reading_ids: tuple[str, ...]


class AssignDevice:
    """Start an assignment; release quarantined readings measured at or after its start.

    The device and the patient must both be the actor's practice's (else NotFound, as if missing) and,
    for an administrator, of the same practice as each other; a device nobody registered yet joins the
    patient's practice.
    """

    def __init__(
        self, uow: UnitOfWork, clock: Clock, ids: IdGenerator, auditor: Auditor, triage: TriageReading
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._ids = ids
        self._auditor = auditor
        self._triage = triage

    async def __call__(self, command: AssignDeviceCommand) -> DeviceAssigned:
        now = self._clock.now()
        start = command.effective_from or now
        if start.tzinfo is None:
            raise InvalidInput("effective_from must include a UTC offset")
        async with self._uow as uow:
            device = await device_for(uow, command.actor, command.device_id)
            patient = await patient_for(uow, command.actor, command.patient_id)
            if not patient.active:
                raise NotFound("patient", command.patient_id)
            device = await _claimed(uow, device, patient, now)
            for current in await uow.devices.assignments(device.id):
                if current.user_slot == command.user_slot and current.active:
                    if start <= current.effective_from:
                        raise InvalidInput("effective_from must be after the current assignment's start")
                    await uow.devices.save_assignment(replace(current, ended_at=start))
            assignment = DeviceAssignment(
                id=self._ids.new_id(), device_id=device.id, patient_id=patient.id,
                user_slot=command.user_slot, effective_from=start,
            )
            await uow.devices.add_assignment(assignment)
            quarantined = await uow.readings.quarantined(device.id, command.user_slot, start)
            intake = IntakePage(uow, self._ids, self._triage, now)
            released = [r.id for r in await intake.release(quarantined, await uow.devices.assignments(device.id))]
            await uow.commit()
        await self._auditor.record(
            command.actor, "device.assign", "DeviceAssignment",
            [assignment.id, device.id, patient.id, *released],
        )
        return DeviceAssigned(assignment, tuple(released))


@dataclass(frozen=True)
class UnassignDeviceCommand:
    device_id: str
    actor: Actor
    user_slot: str | None = None  # None ends every slot's assignment


class UnassignDevice:
    """End the device's current assignment(s); later readings are quarantined."""

    def __init__(self, uow: UnitOfWork, clock: Clock, auditor: Auditor) -> None:
        self._uow = uow
        self._clock = clock
        self._auditor = auditor

    async def __call__(self, command: UnassignDeviceCommand) -> list[DeviceAssignment]:
        now = self._clock.now()
        ended = []
        async with self._uow as uow:
            device = await device_for(uow, command.actor, command.device_id)
            for current in await uow.devices.assignments(device.id):
                if current.active and command.user_slot in (None, current.user_slot):
                    await _check_visible(uow, command.actor, current.patient_id)
                    ended.append(replace(current, ended_at=max(now, current.effective_from)))
                    await uow.devices.save_assignment(ended[-1])
            await uow.commit()
        await self._auditor.record(
            command.actor, "device.unassign", "DeviceAssignment", [a.id for a in ended]
        )
        return ended


async def _check_visible(uow: UnitOfWork, actor: Actor, patient_id: str) -> None:
    """Another practice's device assignment is not this actor's to end (and stays hidden)."""
    patient = await uow.patients.get(patient_id)
    if patient is not None and not may_see(actor, patient):
        raise NotFound("device", patient_id)


async def _claimed(uow: UnitOfWork, device: Device, patient: Patient, now: datetime) -> Device:
    """The device, registered into the patient's practice if it was nobody's; refused if another's."""
    if device.practice_id is None:
        device = replace(device, practice_id=patient.practice_id, registered_at=device.registered_at or now)
        await uow.devices.save(device)
    elif device.practice_id != patient.practice_id:
        raise Conflict("the device and the patient belong to different practices")
    return device
