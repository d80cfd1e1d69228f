"""RegisterDevice: a practice adds a gateway device to its inventory."""

from __future__ import annotations

from dataclasses import dataclass, replace

from application.access import may_see_device
from application.auditing import Auditor
from application.context import Actor
from domain.devices import Device
from domain.errors import AlreadyExists, InvalidInput, NotFound
from domain.patients import DEFAULT_PRACTICE
from domain.ports import Clock, IdGenerator, UnitOfWork
from domain.users import check_practice_id


@dataclass(frozen=True)
class RegisterDeviceCommand:
    gateway_device_id: str
    model_number: str
    actor: Actor
    practice_id: str | None = None  # administrators may name it; clinicians register into their own


class RegisterDevice:
    """Create the device, or register one that already sent data unannounced (it was nobody's).

    The device joins the registering user's practice, or the one an administrator names. A clinician
    naming another practice is answered NotFound, as any other reach into another practice."""

    def __init__(self, uow: UnitOfWork, clock: Clock, ids: IdGenerator, auditor: Auditor) -> None:
        self._uow = uow
        self._clock = clock
        self._ids = ids
        self._auditor = auditor

    async def __call__(self, command: RegisterDeviceCommand) -> Device:
        if not command.gateway_device_id.strip() or not command.model_number.strip():
            raise InvalidInput("gateway_device_id and model_number are required")
        now = self._clock.now()
        async with self._uow as uow:
            practice = await _practice(uow, command)
            device = await uow.devices.by_gateway_id(command.gateway_device_id)
            if device is not None and device.registered:
                visible = device.id if may_see_device(command.actor, device) else None
                raise AlreadyExists("device is already registered", visible)
            if device is None:
                device = Device(
                    id=self._ids.new_id(), gateway_device_id=command.gateway_device_id,
                    model_number=command.model_number, registered_at=now, practice_id=practice,
                )
                await uow.devices.add(device)
            else:
                device = replace(device, model_number=command.model_number, registered_at=now, practice_id=practice)
                await uow.devices.save(device)
            await uow.commit()
        await self._auditor.record(command.actor, "device.register", "Device", [device.id])
        return device


async def _practice(uow: UnitOfWork, command: RegisterDeviceCommand) -> str:
    """The clinician's own practice; for an administrator the named one, else their own user's."""
    scope, named = command.actor.practice_id, command.practice_id
    if scope is not None:
        if named not in (None, scope):
            raise NotFound("practice", named or "")
        return scope
    if named is not None:
        check_practice_id(named)
        return named
    user = await uow.users.get(command.actor.id)
    return user.practice_id if user is not None else DEFAULT_PRACTICE
