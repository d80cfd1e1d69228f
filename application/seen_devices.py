"""A device that sends data is known from then on, registered by the clinic or not."""

from __future__ import annotations

from datetime import datetime

from domain.devices import Device
from domain.ports import IdGenerator, UnitOfWork


async def seen_device(
    uow: UnitOfWork, ids: IdGenerator, gateway_device_id: str, model_number: str, seen_at: datetime
) -> Device:
    """The device with this gateway id, created unregistered on first contact; last-seen updated."""
    return await uow.devices.seen(Device(
        id=ids.new_id(), gateway_device_id=gateway_device_id, model_number=model_number,
        registered_at=None, first_seen_at=seen_at, last_seen_at=seen_at,
    ))
