"""A device that sends data is known from then on, registered by the clinic or not."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from domain.devices import Device
from domain.errors import Conflict
from domain.ports import IdGenerator, UnitOfWork


async def seen_device(
    uow: UnitOfWork, ids: IdGenerator, gateway_device_id: str, model_number: str, seen_at: datetime
) -> Device:
    """The device with this gateway id, created unregistered on first contact; last-seen updated."""
    device = await uow.devices.by_gateway_id(gateway_device_id)
    if device is None:
        created = Device(
            id=ids.new_id(), gateway_device_id=gateway_device_id, model_number=model_number,
            registered_at=None, first_seen_at=seen_at, last_seen_at=seen_at,
        )
        try:
            await uow.devices.add(created)
            return created
        except Conflict:  # a concurrent delivery from the same device created it first
            device = await uow.devices.by_gateway_id(gateway_device_id)
            if device is None:
                raise
    if device.last_seen_at is None or seen_at > device.last_seen_at:
        device = replace(device, last_seen_at=seen_at)
        await uow.devices.save(device)
    return device
