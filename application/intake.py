"""One page of inbound work inside the caller's transaction, set by set: a few statements per page,
not several per delivery. Deliveries (telemetry, status reports, malformed bodies) and quarantined
readings released by an assignment both end in the same `accept` step: outbox rows, then triage."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from application.outbox import observation_items
from application.seen_devices import seen_device
from application.triage_reading import TriageReading
from domain.deliveries import Delivery, DeliveryStatus, DeviceStatusReport, DeviceTelemetry, IncomingDelivery, Malformed
from domain.devices import Device, DeviceAssignment
from domain.events import DeliveryTakenIn
from domain.intake import (
    ALREADY_RECORDED,
    WEBHOOK_REPEATED,
    attributed_reading,
    recorded,
    rejected,
    released,
    unsupported,
    with_status,
)
from domain.ports import IdGenerator, UnitOfWork
from domain.readings import Reading, ReadingStatus
from domain.storage_limits import storable_webhook_id


@dataclass(frozen=True)
class IntakePage:
    """The intake's steps in one transaction (the caller commits)."""

    uow: UnitOfWork
    ids: IdGenerator
    triage: TriageReading
    now: datetime
    trace_context: str | None = None

    async def take_in(self, incoming: Sequence[IncomingDelivery]) -> list[DeliveryTakenIn]:
        """Each delivery's outcome, in order; a repeated webhook id is a duplicate of the first one's."""
        deliveries = [received(d, self.ids.new_id(), self.now) for d in incoming]
        stored = await self.uow.deliveries.add_many_if_new(deliveries)
        fresh = [(i, d) for i, d in zip(incoming, deliveries, strict=True) if d.id in stored]
        outcomes = await self._decide(fresh)
        await self.uow.deliveries.save_many([
            replace(d, status=outcomes[d.id].status, reason=outcomes[d.id].reason, reading_id=outcomes[d.id].reading_id)
            for _, d in fresh
        ])
        for delivery in deliveries:  # looked up last: a repeat within the page sees the first one's outcome
            if delivery.id not in stored:
                outcomes[delivery.id] = await self._repeated(delivery)
        return [outcomes[d.id] for d in deliveries]

    async def release(self, quarantined: Sequence[Reading], history: Sequence[DeviceAssignment]) -> list[Reading]:
        """Quarantined readings that `history` now attributes to a patient, accepted and queued."""
        accepted = [r for r in (released(reading, history) for reading in quarantined) if r is not None]
        for reading in accepted:
            await self.uow.readings.save(reading)
        await self.accept(accepted)
        return accepted

    async def accept(self, accepted: Sequence[Reading], practices: Mapping[str, str] | None = None) -> None:
        """Queue each accepted reading's Observations for its patient's practice's EMR, then triage them in
        order (a later reading sees the alerts an earlier one raised). `practices`: the patients' practices
        the caller knows already, by patient id (the others are read)."""
        if not accepted:
            return
        practice_of = await self._practices(accepted, practices or {})
        context = self.trace_context
        await self.uow.outbox.add_many([item for r in accepted for item in observation_items(
            self.ids, r, self.now, practice_of.get(r.patient_id or ""), trace_context=context)])
        overrides = await self.uow.thresholds.get_many(sorted({r.patient_id for r in accepted if r.patient_id}))
        for reading in accepted:
            await self.triage(self.uow, reading, self.now, overrides.get(reading.patient_id or "", {}),
                              practice_of.get(reading.patient_id or ""))

    async def _practices(self, readings: Sequence[Reading], known: Mapping[str, str]) -> Mapping[str, str]:
        missing = sorted({r.patient_id for r in readings if r.patient_id and r.patient_id not in known})
        if not missing:
            return known
        found = await self.uow.patients.get_many(missing)
        return {**known, **{patient_id: patient.practice_id for patient_id, patient in found.items()}}

    async def _decide(self, fresh: list[tuple[IncomingDelivery, Delivery]]) -> dict[str, DeliveryTakenIn]:
        devices, histories = await self._devices([i.message for i, _ in fresh])
        outcomes: dict[str, DeliveryTakenIn] = {}
        readings: list[tuple[str, Reading]] = []
        practices: dict[str, str] = {}  # an attributed device is its patient's practice's (AssignDevice sees to it)
        for incoming, delivery in fresh:
            message = incoming.message
            if isinstance(message, Malformed):
                outcomes[delivery.id] = rejected(delivery.id, message.reason)
            elif isinstance(message, DeviceStatusReport):
                device_id = devices[message.gateway_device_id].id
                outcomes[delivery.id] = DeliveryTakenIn(delivery.id, DeliveryStatus.STATUS_UPDATED, device_id=device_id)
            elif message.measurement is None:
                outcomes[delivery.id] = unsupported(delivery.id, message)
            else:
                device = devices[message.gateway_device_id]
                reading = attributed_reading(
                    message, message.measurement, reading_id=self.ids.new_id(), delivery_id=delivery.id,
                    device=device, history=histories.get(device.id, ()), now=self.now)
                readings.append((delivery.id, reading))
                if reading.patient_id and device.practice_id:
                    practices[reading.patient_id] = device.practice_id
        added = await self.uow.readings.add_many_if_new([reading for _, reading in readings])
        for delivery_id, reading in readings:
            outcomes[delivery_id] = (recorded(delivery_id, reading) if reading.id in added else
                                     DeliveryTakenIn(delivery_id, DeliveryStatus.DUPLICATE, None, ALREADY_RECORDED))
        await self.accept([r for _, r in readings if r.id in added and r.status is ReadingStatus.ACCEPTED], practices)
        return outcomes

    async def _devices(
        self, messages: Sequence[object]
    ) -> tuple[Mapping[str, Device], Mapping[str, Sequence[DeviceAssignment]]]:
        """Every device the page speaks of, by gateway id: created on first contact, last seen moved up,
        status reports applied (in page order); and their assignment histories, by device id (a device
        met for the first time has none)."""
        sent = [m for m in messages if isinstance(m, DeviceTelemetry | DeviceStatusReport)]
        found, histories = await self.uow.devices.by_gateway_ids_with_histories(
            sorted({m.gateway_device_id for m in sent}))
        devices = dict(found)
        changed: dict[str, Device] = {}
        for message in sent:
            seen_at = message.reported_at if isinstance(message, DeviceStatusReport) else self.now
            device = devices.get(message.gateway_device_id)
            if device is None:  # first contact (rare): one by one, a concurrent first contact handled there
                device = await seen_device(self.uow, self.ids, message.gateway_device_id, message.model_number,
                                           seen_at)
            elif device.last_seen_at is None or seen_at > device.last_seen_at:
                device = changed[device.id] = replace(device, last_seen_at=seen_at)
            if isinstance(message, DeviceStatusReport):
                device = changed[device.id] = with_status(device, message)
            devices[message.gateway_device_id] = device
        await self.uow.devices.observe_many(list(changed.values()))
        return devices, histories

    async def _repeated(self, delivery: Delivery) -> DeliveryTakenIn:
        existing = await self.uow.deliveries.by_webhook_id(delivery.source, delivery.webhook_id)
        return DeliveryTakenIn(existing.id if existing else delivery.id, DeliveryStatus.DUPLICATE,
                               existing.reading_id if existing else None, WEBHOOK_REPEATED)


def received(incoming: IncomingDelivery, delivery_id: str, now: datetime) -> Delivery:
    """The raw delivery as kept before anything else is decided about it (a webhook id the store cannot
    hold as it is kept as its stable surrogate, so a re-delivery still dedupes)."""
    return Delivery(id=delivery_id, source=incoming.source, webhook_id=storable_webhook_id(incoming.webhook_id),
                    received_at=now, body=incoming.body, status=DeliveryStatus.RECEIVED)
