"""A page of a batch sync taken in set by set: RecordReading's checks, with a few statements per page
instead of several per reading (the deliveries, devices, readings and outbox rows go in together)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING

from application.intake import ALREADY_RECORDED, new_reading, received, recorded, repeated, unsupported
from application.outbox import observation_items
from application.seen_devices import seen_device
from domain.deliveries import Delivery, DeliveryStatus, DeviceTelemetry
from domain.devices import Device
from domain.events import ReadingRecorded
from domain.ports import IdGenerator, UnitOfWork
from domain.readings import Reading, ReadingStatus

if TYPE_CHECKING:
    from application.record_reading import RecordDelivery
    from application.triage_reading import TriageReading


@dataclass(frozen=True)
class PageIntake:
    """One page in the caller's transaction; every delivery gets the outcome the webhook path gives it."""

    uow: UnitOfWork
    ids: IdGenerator
    triage: TriageReading
    now: datetime
    trace_context: str | None = None

    async def __call__(self, commands: Sequence[RecordDelivery]) -> list[ReadingRecorded]:
        deliveries = [received(self.ids, c, self.now) for c in commands]
        stored = await self.uow.deliveries.add_many_if_new(deliveries)
        fresh = [(c, d) for c, d in zip(commands, deliveries, strict=True) if d.id in stored]
        events = await self._take_in(fresh)
        await self.uow.deliveries.save_many([
            replace(d, status=events[d.id].status, reason=events[d.id].reason, reading_id=events[d.id].reading_id)
            for _, d in fresh
        ])
        for delivery in deliveries:  # looked up last: a repeat within the page sees the first one's outcome
            if delivery.id not in stored:
                events[delivery.id] = await repeated(self.uow, delivery)
        return [events[d.id] for d in deliveries]

    async def _take_in(self, fresh: list[tuple[RecordDelivery, Delivery]]) -> dict[str, ReadingRecorded]:
        events: dict[str, ReadingRecorded] = {}
        devices = await self._seen_devices([c.telemetry for c, _ in fresh if c.telemetry is not None])
        histories = await self.uow.devices.assignments_of_devices([d.id for d in devices.values()])
        readings: dict[str, tuple[Delivery, Reading]] = {}
        for command, delivery in fresh:
            telemetry = command.telemetry
            if telemetry is None:
                events[delivery.id] = ReadingRecorded(delivery.id, DeliveryStatus.REJECTED, None, command.parse_error)
            elif telemetry.measurement is None:
                events[delivery.id] = unsupported(delivery, telemetry)
            else:
                device = devices[telemetry.gateway_device_id]
                readings[delivery.id] = (delivery, new_reading(
                    self.ids, delivery, telemetry, telemetry.measurement, device, histories.get(device.id, ()),
                    self.now))
        added = await self.uow.readings.add_many_if_new([reading for _, reading in readings.values()])
        accepted = []
        for delivery, reading in readings.values():
            if reading.id not in added:
                events[delivery.id] = ReadingRecorded(delivery.id, DeliveryStatus.DUPLICATE, None, ALREADY_RECORDED)
                continue
            events[delivery.id] = recorded(delivery, reading)
            if reading.status is ReadingStatus.ACCEPTED:
                accepted.append(reading)
        await self._queue_and_triage(accepted)
        return events

    async def _queue_and_triage(self, accepted: list[Reading]) -> None:
        context = self.trace_context
        await self.uow.outbox.add_many(
            [item for r in accepted for item in observation_items(self.ids, r, self.now, trace_context=context)])
        overrides = await self.uow.thresholds.get_many(sorted({r.patient_id for r in accepted if r.patient_id}))
        for reading in accepted:  # in page order: a later reading sees the alerts an earlier one raised
            await self.triage(self.uow, reading, self.now, overrides.get(reading.patient_id or "", {}))

    async def _seen_devices(self, telemetry: list[DeviceTelemetry]) -> dict[str, Device]:
        """Every device of the page by gateway id: created on first contact, last seen now."""
        known = await self.uow.devices.by_gateway_ids([t.gateway_device_id for t in telemetry])
        devices, seen = {}, []
        for t in telemetry:
            if t.gateway_device_id in devices:
                continue
            device = known.get(t.gateway_device_id)
            if device is None:  # rare: created one by one, a concurrent first contact handled there
                device = await seen_device(self.uow, self.ids, t.gateway_device_id, t.model_number, self.now)
            elif device.last_seen_at is None or self.now > device.last_seen_at:
                device = replace(device, last_seen_at=self.now)
                seen.append(device)
            devices[t.gateway_device_id] = device
        await self.uow.devices.save_many(seen)
        return devices
