"""One page of inbound work inside the caller's transaction, set by set: a few statements per page,
not several per delivery. Deliveries (telemetry, status reports, malformed bodies) and quarantined
readings released by an assignment both end in the same `accept` step: outbox rows, then triage."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal

from application.outbox import observation_items
from application.seen_devices import seen_device
from application.triage_reading import TriageReading
from domain.deliveries import (
    Delivery,
    DeliveryStatus,
    DeviceStatusReport,
    DeviceTelemetry,
    InboundMessage,
    IncomingDelivery,
    Malformed,
)
from domain.devices import Device, DeviceAssignment, KnownDevices
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
        """Each delivery's outcome, in order; a repeated webhook id is a duplicate of the first one's.
        Each is decided before it is kept, so its raw row is written once, with its outcome (one
        whose reading turns out to be recorded already, rare, is written again)."""
        devices, known = await self._known_devices([i.message for i in incoming])
        decided = [self._decided(i.message, self.ids.new_id(), devices, known.histories) for i in incoming]
        deliveries = {o.delivery_id: kept(i, o, self.now) for i, (o, _) in zip(incoming, decided, strict=True)}
        stored, added = await self.uow.readings.add_many_with_deliveries(
            list(deliveries.values()), [r for _, r in decided if r is not None])
        fresh = [(i, d) for i, d in zip(incoming, decided, strict=True) if d[0].delivery_id in stored]
        outcomes = {outcome.delivery_id: outcome for _, (outcome, _) in fresh}
        already = await self._record([r for _, (_, r) in fresh if r is not None], added, devices, known.overrides)
        for delivery_id in already:
            outcomes[delivery_id] = DeliveryTakenIn(delivery_id, DeliveryStatus.DUPLICATE, None, ALREADY_RECORDED)
        await self.uow.deliveries.save_many([kept(i, outcomes[o.delivery_id], self.now)
                                             for i, (o, _) in fresh if o.delivery_id in already])
        for delivery in deliveries.values():  # looked up last: a repeat within the page sees the first one's outcome
            if delivery.id not in stored:
                outcomes[delivery.id] = await self._repeated(delivery)
        # last: the device rows it locks stay locked until commit, so a page taken in beside this one waits for
        # them as late as it can
        await self._observe([i.message for i, _ in fresh], devices)
        return [outcomes[delivery_id] for delivery_id in deliveries]

    async def release(self, quarantined: Sequence[Reading], history: Sequence[DeviceAssignment]) -> list[Reading]:
        """Quarantined readings that `history` now attributes to a patient, accepted and queued."""
        accepted = [r for r in (released(reading, history) for reading in quarantined) if r is not None]
        for reading in accepted:
            await self.uow.readings.save(reading)
        await self.accept(accepted)
        return accepted

    async def accept(
        self, accepted: Sequence[Reading], practices: Mapping[str, str] | None = None,
        overrides: Mapping[str, Mapping[str, Decimal]] | None = None,
    ) -> None:
        """Queue each accepted reading's Observations for its patient's practice's EMR, then triage them in
        order (a later reading sees the alerts an earlier one raised). `practices` and `overrides`: the
        patients' practices and threshold overrides the caller knows already, by patient id (the others
        are read)."""
        if not accepted:
            return
        practice_of = await self._practices(accepted, practices or {})
        # read before the outbox rows are added: a write that returns nothing may then wait for the next
        # statement (the audit entries' or the commit) and go with it
        overrides = await self._overrides(accepted, overrides or {})
        context = self.trace_context
        await self.uow.outbox.add_many([item for r in accepted for item in observation_items(
            self.ids, r, self.now, practice_of.get(r.patient_id or ""), trace_context=context)])
        await self.triage(self.uow, accepted, self.now, practice_of, overrides)

    async def _overrides(
        self, readings: Sequence[Reading], known: Mapping[str, Mapping[str, Decimal]]
    ) -> Mapping[str, Mapping[str, Decimal]]:
        missing = sorted({r.patient_id for r in readings if r.patient_id and r.patient_id not in known})
        return {**known, **await self.uow.thresholds.get_many(missing)} if missing else known

    async def _practices(self, readings: Sequence[Reading], known: Mapping[str, str]) -> Mapping[str, str]:
        missing = sorted({r.patient_id for r in readings if r.patient_id and r.patient_id not in known})
        if not missing:
            return known
        found = await self.uow.patients.get_many(missing)
        return {**known, **{patient_id: patient.practice_id for patient_id, patient in found.items()}}

    def _decided(
        self, message: InboundMessage, delivery_id: str, devices: Mapping[str, Device],
        histories: Mapping[str, Sequence[DeviceAssignment]],
    ) -> tuple[DeliveryTakenIn, Reading | None]:
        """What the delivery becomes, and its reading (should it be new) if it carries one."""
        if isinstance(message, Malformed):
            return rejected(delivery_id, message.reason), None
        if isinstance(message, DeviceStatusReport):
            device_id = devices[message.gateway_device_id].id
            return DeliveryTakenIn(delivery_id, DeliveryStatus.STATUS_UPDATED, device_id=device_id), None
        if message.measurement is None:
            return unsupported(delivery_id, message), None
        device = devices[message.gateway_device_id]
        reading = attributed_reading(
            message, message.measurement, reading_id=self.ids.new_id(), delivery_id=delivery_id, device=device,
            history=histories.get(device.id, ()), now=self.now)
        return recorded(delivery_id, reading), reading

    async def _record(
        self, readings: Sequence[Reading], added: set[str], devices: Mapping[str, Device],
        overrides: Mapping[str, Mapping[str, Decimal]],
    ) -> set[str]:
        """Accept the stored deliveries' readings that were stored (`added`) with them; the delivery ids whose
        reading was recorded already."""
        practice_of = {device.id: device.practice_id for device in devices.values()}
        # an attributed device is its patient's practice's (AssignDevice sees to it)
        practices = {r.patient_id: practice for r in readings
                     if r.patient_id and (practice := practice_of.get(r.device_id))}
        accepted = ReadingStatus.ACCEPTED  # looked up once, not per reading (an Enum member's lookup is slow)
        await self.accept([r for r in readings if r.id in added and r.status is accepted], practices,
                          overrides)
        return {r.delivery_id for r in readings if r.id not in added and r.delivery_id}

    async def _known_devices(self, messages: Sequence[object]) -> tuple[dict[str, Device], KnownDevices]:
        """Every device the page speaks of, by gateway id (created on first contact), and what is known of
        those found: their assignment histories and their patients' thresholds (a new device has none)."""
        sent = [m for m in messages if isinstance(m, DeviceTelemetry | DeviceStatusReport)]
        known = await self.uow.devices.known_for_intake(sorted({m.gateway_device_id for m in sent}))
        devices = dict(known.devices)
        for message in sent:  # first contact (rare): one by one, a concurrent first contact handled there
            if message.gateway_device_id not in devices:
                devices[message.gateway_device_id] = await seen_device(
                    self.uow, self.ids, message.gateway_device_id, message.model_number, self._seen_at(message))
        return devices, known

    async def _observe(self, messages: Sequence[object], devices: dict[str, Device]) -> None:
        """Last seen moved up and status reports applied, in page order, for the deliveries kept. What the page
        did not hear from a device (battery, signal, firmware: it sent only readings) goes as None, which keeps
        it as stored: a status report another page committed since this one read the device is not undone."""
        changed: dict[str, Device] = {}
        for message in messages:
            if not isinstance(message, DeviceTelemetry | DeviceStatusReport):
                continue
            device, seen_at = devices[message.gateway_device_id], self._seen_at(message)
            if isinstance(message, DeviceStatusReport):
                device = changed[device.id] = with_status(device, message)
            elif device.last_seen_at is None or seen_at > device.last_seen_at:
                device = changed[device.id] = (
                    replace(device, last_seen_at=seen_at) if device.id in changed  # as heard earlier in the page
                    else replace(device, last_seen_at=seen_at, battery_percent=None, signal_bars=None, firmware=None))
            devices[message.gateway_device_id] = device
        await self.uow.devices.observe_many(list(changed.values()))

    def _seen_at(self, message: DeviceTelemetry | DeviceStatusReport) -> datetime:
        return message.reported_at if isinstance(message, DeviceStatusReport) else self.now

    async def _repeated(self, delivery: Delivery) -> DeliveryTakenIn:
        existing = await self.uow.deliveries.by_webhook_id(delivery.source, delivery.webhook_id)
        return DeliveryTakenIn(existing.id if existing else delivery.id, DeliveryStatus.DUPLICATE,
                               existing.reading_id if existing else None, WEBHOOK_REPEATED)


def kept(incoming: IncomingDelivery, outcome: DeliveryTakenIn, now: datetime) -> Delivery:
    """The raw delivery as kept, with what became of it (a webhook id the store cannot hold as it is kept
    as its stable surrogate, so a re-delivery still dedupes)."""
    return Delivery(id=outcome.delivery_id, source=incoming.source, webhook_id=storable_webhook_id(incoming.webhook_id),
                    received_at=now, body=incoming.body, status=outcome.status, reason=outcome.reason,
                    reading_id=outcome.reading_id)
