"""RegisterDevice: the clinic adds a gateway device to its inventory."""

from __future__ import annotations

from dataclasses import dataclass, replace

from application.auditing import Auditor
from application.context import Actor
from domain.devices import Device
from domain.errors import Conflict, InvalidInput
from domain.ports import Clock, IdGenerator, UnitOfWork


@dataclass(frozen=True)
class RegisterDeviceCommand:
    gateway_device_id: str
    model_number: str
    actor: Actor


class RegisterDevice:
    """Create the device, or register one that already sent data unannounced."""

    def __init__(self, uow: UnitOfWork, clock: Clock, ids: IdGenerator, auditor: Auditor) -> None:
        self._uow = uow
        self._clock = clock
        self._ids = ids
        self._auditor = auditor

    async def __call__(self, command: RegisterDeviceCommand) -> Device:
        if not command.gateway_device_id.strip() or not command.model_number.strip():
            raise InvalidInput("device_id and model_number are required")
        now = self._clock.now()
        async with self._uow as uow:
            device = await uow.devices.by_gateway_id(command.gateway_device_id)
            if device is not None and device.registered:
                raise Conflict("device is already registered")
            if device is None:
                device = Device(
                    id=self._ids.new_id(), gateway_device_id=command.gateway_device_id,
                    model_number=command.model_number, registered_at=now,
                )
                await uow.devices.add(device)
            else:
                device = replace(device, model_number=command.model_number, registered_at=now)
                await uow.devices.save(device)
            await uow.commit()
        await self._auditor.record(command.actor, "device.register", "Device", [device.id])
        return device
