"""TakeInDeliveries: the one intake. A page of verified deliveries — webhooks taken in together, or a
page pulled from the device cloud — is kept raw and decided set by set in one transaction; every
delivery gets its own outcome, and its own audit entry."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from application.auditing import Auditor, AuditRecord
from application.context import WEBHOOK_SERVICE, Actor
from application.intake import IntakePage
from application.tracing import NULL_METRICS, NULL_TRACER
from application.triage_reading import TriageReading
from domain.deliveries import DeviceStatusReport, DeviceTelemetry, IncomingDelivery
from domain.events import DeliveryTakenIn
from domain.ports import Clock, IdGenerator, Metrics, Tracer, UnitOfWork


@dataclass(frozen=True)
class Arrival:
    """A delivery and who brought it (the webhook request, or the batch sync)."""

    delivery: IncomingDelivery
    actor: Actor = WEBHOOK_SERVICE


@dataclass(frozen=True)
class TakeInDeliveriesCommand:
    arrivals: Sequence[Arrival]


class PageIntake(Protocol):
    """Takes a page in, each call in a transaction of its own, so that calls may overlap (TakeInDeliveries
    in a fresh unit of work per call; on a unit of work that queues its transactions, TakeInDeliveries)."""

    async def __call__(self, command: TakeInDeliveriesCommand) -> list[DeliveryTakenIn]: ...


class TakeInDeliveries:
    """Keep each delivery raw, decide what it becomes, and queue accepted readings for the EMR."""

    def __init__(
        self, uow: UnitOfWork, clock: Clock, ids: IdGenerator, auditor: Auditor, triage: TriageReading,
        tracer: Tracer = NULL_TRACER, metrics: Metrics = NULL_METRICS,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._ids = ids
        self._auditor = auditor
        self._triage = triage
        self._tracer = tracer
        self._metrics = metrics

    async def __call__(self, command: TakeInDeliveriesCommand) -> list[DeliveryTakenIn]:
        """Each arrival's outcome, in order. Should anything fail, the whole page rolls back: nothing
        of it is kept, so taking it in again loses and doubles nothing."""
        if not command.arrivals:
            return []
        with self._tracer.span("intake.page") as span:
            async with self._uow as uow:
                page = IntakePage(uow, self._ids, self._triage, self._clock.now(), self._tracer.current_context())
                outcomes = await page.take_in([a.delivery for a in command.arrivals])
                # in the page's transaction, last: the entries commit or roll back with the work they describe
                await self._auditor.record_many_in(
                    uow.audit, [_audited(a, o) for a, o in zip(command.arrivals, outcomes, strict=True)])
                await uow.commit()
            span.set("deliveries", len(outcomes))
        # str() of a StrEnum member is its value, without `.value`'s descriptor (per delivery, it shows)
        for arrival, outcome in zip(command.arrivals, outcomes, strict=True):
            self._metrics.count("readings_ingested", {"kind": _kind(arrival.delivery), "outcome": str(outcome.status)})
        return outcomes


def _audited(arrival: Arrival, outcome: DeliveryTakenIn) -> AuditRecord:
    ids = (outcome.delivery_id, *filter(None, (outcome.reading_id, outcome.device_id)))
    action, resource = (("device.status", "Device") if isinstance(arrival.delivery.message, DeviceStatusReport)
                        else ("webhook.delivery", "Delivery"))
    return AuditRecord(arrival.actor, action, resource, ids, details={"status": outcome.status})


def _kind(delivery: IncomingDelivery) -> str:
    message = delivery.message
    if isinstance(message, DeviceTelemetry) and message.measurement is not None:
        return str(message.measurement.kind)
    return "status" if isinstance(message, DeviceStatusReport) else "unknown"
