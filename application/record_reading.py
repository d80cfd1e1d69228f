"""RecordReading: take in one verified delivery from the device cloud, exactly once."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from application.auditing import Auditor
from application.context import WEBHOOK_SERVICE, Actor
from application.intake import ALREADY_RECORDED, new_reading, received, recorded, repeated, unsupported
from application.outbox import enqueue_observations
from application.seen_devices import seen_device
from application.take_in_page import PageIntake
from application.tracing import NULL_METRICS, NULL_TRACER
from application.triage_reading import TriageReading
from domain.deliveries import Delivery, DeliveryStatus, DeviceTelemetry
from domain.events import ReadingRecorded
from domain.ports import Clock, IdGenerator, Metrics, Tracer, UnitOfWork
from domain.readings import ReadingStatus


@dataclass(frozen=True)
class RecordDelivery:
    """A delivery whose signature was verified. `telemetry` is None when the body did not parse."""

    source: str
    webhook_id: str
    body: bytes
    telemetry: DeviceTelemetry | None
    parse_error: str | None = None
    actor: Actor = WEBHOOK_SERVICE


class RecordReading:
    """Keep the raw delivery, attribute and validate the reading, and queue it for the EMR."""

    def __init__(
        self, uow: UnitOfWork, clock: Clock, ids: IdGenerator, auditor: Auditor, triage: TriageReading,
        tracer: Tracer = NULL_TRACER, metrics: Metrics = NULL_METRICS,
    ) -> None:
        self._metrics = metrics
        self._uow = uow
        self._clock = clock
        self._ids = ids
        self._auditor = auditor
        self._triage = triage
        self._tracer = tracer

    async def __call__(self, command: RecordDelivery) -> ReadingRecorded:
        async with self._uow as uow:
            event = await self._traced(uow, command, self._clock.now())
            await uow.commit()
        await self._auditor.record(
            command.actor, "webhook.delivery", "Delivery", _ids(event), status=event.status.value
        )
        return event

    async def record_page(self, commands: Sequence[RecordDelivery], actor: Actor) -> list[ReadingRecorded]:
        """A page of a batch sync: the same outcome per delivery as `__call__`, set by set in one
        transaction (PageIntake), one audit entry per outcome.

        Should anything fail, the whole page rolls back, so pulling it again loses and doubles nothing.
        """
        with self._tracer.span("reading.record_page") as span:
            async with self._uow as uow:
                intake = PageIntake(uow, self._ids, self._triage, self._clock.now(), self._tracer.current_context())
                events = await intake(commands)
                await uow.commit()
            span.set("deliveries", len(events))
        by_status: dict[str, list[str]] = defaultdict(list)
        for command, event in zip(commands, events, strict=True):
            by_status[event.status.value].extend(_ids(event))
            self._count(command, event)
        for status, ids in by_status.items():
            await self._auditor.record(actor, "webhook.delivery", "Delivery", ids, status=status)
        return events

    async def _traced(self, uow: UnitOfWork, command: RecordDelivery, now: datetime) -> ReadingRecorded:
        with self._tracer.span("reading.record") as span:
            event = await self._record(uow, command, now)
            span.set("delivery_id", event.delivery_id)
            span.set("status", event.status.value)
        self._count(command, event)
        return event

    def _count(self, command: RecordDelivery, event: ReadingRecorded) -> None:
        measurement = command.telemetry.measurement if command.telemetry else None
        kind = measurement.kind.value if measurement else "unknown"
        self._metrics.count("readings_ingested", {"kind": kind, "outcome": event.status.value})

    async def _record(self, uow: UnitOfWork, command: RecordDelivery, now: datetime) -> ReadingRecorded:
        delivery = received(self._ids, command, now)
        if not await uow.deliveries.add_if_new(delivery):
            return await repeated(uow, delivery)
        event = await self._take_in(uow, delivery, command, now)
        await uow.deliveries.save(
            replace(delivery, status=event.status, reason=event.reason, reading_id=event.reading_id)
        )
        return event

    async def _take_in(
        self, uow: UnitOfWork, delivery: Delivery, command: RecordDelivery, now: datetime
    ) -> ReadingRecorded:
        telemetry = command.telemetry
        if telemetry is None:
            return ReadingRecorded(delivery.id, DeliveryStatus.REJECTED, None, command.parse_error)
        device = await seen_device(uow, self._ids, telemetry.gateway_device_id, telemetry.model_number, now)
        measurement = telemetry.measurement
        if measurement is None:
            return unsupported(delivery, telemetry)
        history = await uow.devices.assignments(device.id)
        reading = new_reading(self._ids, delivery, telemetry, measurement, device, history, now)
        if not await uow.readings.add_if_new(reading):
            return ReadingRecorded(delivery.id, DeliveryStatus.DUPLICATE, None, ALREADY_RECORDED)
        if reading.status is ReadingStatus.ACCEPTED:
            await enqueue_observations(uow, self._ids, reading, now, self._tracer.current_context())
            await self._triage(uow, reading, now)
        return recorded(delivery, reading)


def _ids(event: ReadingRecorded) -> tuple[str, ...]:
    return (event.delivery_id,) + ((event.reading_id,) if event.reading_id else ())
