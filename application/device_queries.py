"""Read-side use cases for the device inventory."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from application.auditing import Auditor
from application.context import Actor
from application.queries import PageQuery
from domain.devices import Device, DeviceAssignment
from domain.errors import NotFound
from domain.ports import UnitOfWork


@dataclass(frozen=True)
class DeviceDetail:
    device: Device
    assignments: tuple[DeviceAssignment, ...]  # the whole history, oldest first


class DeviceQueries:
    def __init__(self, uow: UnitOfWork, auditor: Auditor) -> None:
        self._uow = uow
        self._auditor = auditor

    async def list_devices(self, query: PageQuery) -> tuple[Sequence[Device], int]:
        async with self._uow as uow:
            devices, total = await uow.devices.list(query.offset, query.page_size)
        await self._auditor.record(query.actor, "device.list", "Device", [d.id for d in devices])
        return devices, total

    async def device(self, actor: Actor, device_id: str) -> DeviceDetail:
        async with self._uow as uow:
            device = await uow.devices.get(device_id)
            if device is None:
                raise NotFound("device", "requested")
            history = await uow.devices.assignments(device.id)
        await self._auditor.record(actor, "device.read", "Device", [device.id])
        return DeviceDetail(device, tuple(history))
