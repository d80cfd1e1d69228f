"""QuarantineQueries: the device slots holding quarantined readings, and what assigning would release.

Read only: a preview never writes. Scoped like the device inventory (a clinician sees their practice's
devices' slots; administrators every slot, also of devices nobody registered)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from application.access import device_for
from application.auditing import Auditor
from application.context import Actor
from application.queries import PageQuery
from domain.devices import Device
from domain.errors import InvalidInput
from domain.ports import UnitOfWork
from domain.quarantine import QuarantinedSlot, ReleasePreview, release_preview


@dataclass(frozen=True)
class QuarantineEntry:
    """A slot's quarantine, its device, and what assigning the slot from its first held reading releases."""

    device: Device
    slot: QuarantinedSlot
    preview: ReleasePreview


class QuarantineQueries:
    def __init__(self, uow: UnitOfWork, auditor: Auditor) -> None:
        self._uow = uow
        self._auditor = auditor

    async def slots(self, query: PageQuery, device_id: str | None = None) -> tuple[Sequence[QuarantineEntry], int]:
        """A page of quarantined slots (of one device when `device_id` is given: NotFound if not the actor's)."""
        actor = query.actor
        async with self._uow as uow:
            if device_id is not None:
                await device_for(uow, actor, device_id)
            slots, total = await uow.readings.quarantined_slots(
                query.offset, query.page_size, actor.practice_id, device_id)
            ids = sorted({s.device_id for s in slots})
            devices = await uow.devices.get_many(ids)
            histories = await uow.devices.assignments_of_devices(ids)
            entries = []
            for slot in slots:
                held = await uow.readings.quarantined(slot.device_id, slot.user_slot, slot.first_measured_at)
                preview = release_preview(slot.device_id, slot.user_slot, slot.first_measured_at, held,
                                          histories.get(slot.device_id, ()))
                entries.append(QuarantineEntry(devices[slot.device_id], slot, preview))
        await self._auditor.record(actor, "device.quarantine.read", "Device", ids)
        return entries, total

    async def preview(self, actor: Actor, device_id: str, user_slot: str, effective_from: datetime) -> ReleasePreview:
        """What assigning the device's slot from `effective_from` would release (NotFound if not the actor's)."""
        if effective_from.tzinfo is None:
            raise InvalidInput("effective_from must include a UTC offset")
        async with self._uow as uow:
            device = await device_for(uow, actor, device_id)
            held = await uow.readings.quarantined(device.id, user_slot, effective_from)
            history = await uow.devices.assignments(device.id)
        await self._auditor.record(actor, "device.quarantine.read", "Device", [device.id])
        return release_preview(device.id, user_slot, effective_from, held, history)
