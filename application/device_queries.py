"""Read-side use cases for the device inventory, scoped to the actor's practice."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from application.access import device_for, may_see, may_see_device
from application.auditing import Auditor
from application.context import Actor
from application.queries import PageQuery
from domain.devices import Device, DeviceAssignment
from domain.patients import Patient
from domain.ports import UnitOfWork

MAX_ASSIGNABLE = 10_000  # patients offered in one list (as many as a billing report covers)


@dataclass(frozen=True)
class DeviceDetail:
    device: Device
    assignments: tuple[DeviceAssignment, ...]  # the whole history the actor may see, oldest first


class DeviceQueries:
    def __init__(self, uow: UnitOfWork, auditor: Auditor) -> None:
        self._uow = uow
        self._auditor = auditor

    async def list_devices(self, query: PageQuery) -> tuple[Sequence[Device], int]:
        """A clinician's practice's devices; every device (also those nobody registered) for administrators."""
        async with self._uow as uow:
            devices, total = await uow.devices.list(query.offset, query.page_size, query.actor.practice_id)
        await self._auditor.record(query.actor, "device.list", "Device", [d.id for d in devices])
        return devices, total

    async def find_by_gateway_id(self, query: PageQuery, gateway_device_id: str) -> tuple[Sequence[Device], int]:
        """The one device with this gateway id as a page (empty unless the actor may see it, as in the list)."""
        async with self._uow as uow:
            device = await uow.devices.by_gateway_id(gateway_device_id)
        found = [device] if device is not None and may_see_device(query.actor, device) else []
        shown = found if query.offset == 0 else []
        await self._auditor.record(query.actor, "device.list", "Device", [d.id for d in shown])
        return shown, len(found)

    async def device(self, actor: Actor, device_id: str) -> DeviceDetail:
        """The device and its assignments; NotFound for another practice's device, as for a missing one."""
        async with self._uow as uow:
            device = await device_for(uow, actor, device_id)
            history = list(await uow.devices.assignments(device.id))
            if actor.practice_id is not None:  # assignments made before devices had a practice
                patients = await uow.patients.get_many(sorted({a.patient_id for a in history}))
                history = [a for a in history if a.patient_id in patients and may_see(actor, patients[a.patient_id])]
        await self._auditor.record(actor, "device.read", "Device", [device.id])
        return DeviceDetail(device, tuple(history))

    async def assignable_patients(self, actor: Actor, device_id: str) -> list[Patient]:
        """The active patients the device may be assigned to, by name: its practice's (every practice's for an
        administrator and a device nobody registered); NotFound for a device the actor may not see."""
        async with self._uow as uow:
            device = await device_for(uow, actor, device_id)
            patients, _ = await uow.patients.list(0, MAX_ASSIGNABLE, device.practice_id or actor.practice_id)
        chosen = sorted((p for p in patients if p.active), key=lambda p: (p.name.casefold(), p.id))
        await self._auditor.record(actor, "patient.list", "Patient", [p.id for p in chosen])
        return chosen
