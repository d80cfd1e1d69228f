"""SyncDeviceReadings: pull readings from the device cloud in pages, through the webhook's path."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from application.auditing import Auditor
from application.context import Actor
from application.take_in_deliveries import Arrival, TakeInDeliveries, TakeInDeliveriesCommand
from domain.audit import AuditOutcome
from domain.ports import DeviceGateway

BATCH_SYNC = Actor("service:mioconnect-sync")


@dataclass(frozen=True)
class SyncReadings:
    """Pull everything after `cursor` (None: from the start), at most `max_pages` pages."""

    cursor: str | None = None
    max_pages: int = 10_000
    on_page: Callable[[int, Counter[str]], None] | None = None


@dataclass
class SyncSummary:
    """Outcomes by delivery status (accepted, duplicate, discarded, quarantined, rejected)."""

    outcomes: Counter[str] = field(default_factory=Counter)
    pages: int = 0
    next_cursor: str | None = None

    @property
    def total(self) -> int:
        return sum(self.outcomes.values())


class SyncDeviceReadings:
    """Each pulled page goes through the one intake, exactly like webhooks taken in together."""

    def __init__(self, gateway: DeviceGateway, take_in: TakeInDeliveries, auditor: Auditor) -> None:
        self._gateway = gateway
        self._take_in = take_in
        self._auditor = auditor

    async def __call__(self, command: SyncReadings) -> SyncSummary:
        summary = SyncSummary(next_cursor=command.cursor)
        while summary.pages < command.max_pages:
            try:
                page = await self._gateway.readings_since(summary.next_cursor)
            except Exception:
                await self._auditor.record(BATCH_SYNC, "gateway.readings.fetch", "Delivery", (),
                                           AuditOutcome.FAILURE, page=str(summary.pages + 1))
                raise
            await self._auditor.record(BATCH_SYNC, "gateway.readings.fetch", "Delivery", (),
                                       page=str(summary.pages + 1), messages=str(len(page.items)))
            events = await self._take_in(
                TakeInDeliveriesCommand([Arrival(m.delivery, BATCH_SYNC) for m in page.items]))
            summary.outcomes.update(event.status.value for event in events)
            summary.pages += 1
            if command.on_page is not None:
                command.on_page(len(page.items), summary.outcomes)
            if page.next_cursor is None:
                break
            summary.next_cursor = page.next_cursor
        return summary
