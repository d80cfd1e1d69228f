"""SyncDeviceReadings: pull readings from the device cloud in pages, through the webhook's path."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from application.auditing import Auditor, AuditRecord
from application.context import Actor
from application.take_in_deliveries import Arrival, TakeInDeliveries, TakeInDeliveriesCommand
from domain.audit import AuditOutcome
from domain.ports import DeviceGateway
from domain.ports.device_gateway import GatewayMessage, GatewayPage

BATCH_SYNC = Actor("service:mioconnect-sync")
Page = GatewayPage[GatewayMessage]


@dataclass(frozen=True)
class SyncReadings:
    """Pull everything after `cursor` (None: from the start), at most `max_pages` pages."""

    cursor: str | None = None
    max_pages: int = 10_000
    on_page: Callable[[int, Counter[str]], None] | None = None


@dataclass(frozen=True)
class SyncPolicy:
    """At most `readings_per_transaction` pulled readings are taken in together (one transaction; a page
    larger than that on its own still goes whole): per-transaction costs are shared by several pages."""

    readings_per_transaction: int = 1000


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
    """Pulled pages go through the one intake, exactly like webhooks taken in together; progress is
    reported per pulled page once the transaction holding it has committed."""

    def __init__(
        self, gateway: DeviceGateway, take_in: TakeInDeliveries, auditor: Auditor, policy: SyncPolicy,
    ) -> None:
        self._gateway = gateway
        self._take_in = take_in
        self._auditor = auditor
        self._limit = policy.readings_per_transaction

    async def __call__(self, command: SyncReadings) -> SyncSummary:
        summary = SyncSummary(next_cursor=command.cursor)
        held: list[Page] = []
        cursor, done = command.cursor, False
        while not done:
            try:
                page = await self._fetch(cursor, summary.pages + len(held) + 1)
            except Exception:
                await self._take_in_pages(held, summary, command)  # what was pulled is kept before failing
                raise
            if held and sum(len(p.items) for p in held) + len(page.items) > self._limit:
                await self._take_in_pages(held, summary, command)
                held = []
            held.append(page)
            cursor = page.next_cursor
            done = cursor is None or summary.pages + len(held) >= command.max_pages
        await self._take_in_pages(held, summary, command)
        return summary

    async def _fetch(self, cursor: str | None, number: int) -> Page:
        try:
            return await self._gateway.readings_since(cursor)
        except Exception:
            await self._auditor.record(BATCH_SYNC, "gateway.readings.fetch", "Delivery", (),
                                       AuditOutcome.FAILURE, page=str(number))
            raise

    async def _take_in_pages(self, pages: Sequence[Page], summary: SyncSummary, command: SyncReadings) -> None:
        """The pages' fetches audited (one write for them all, not one per page), then their deliveries
        taken in together."""
        if not pages:
            return
        await self._auditor.record_many([
            AuditRecord(BATCH_SYNC, "gateway.readings.fetch", "Delivery",
                        details={"page": str(number), "messages": str(len(page.items))})
            for number, page in enumerate(pages, summary.pages + 1)])
        events = iter(await self._take_in(
            TakeInDeliveriesCommand([Arrival(m.delivery, BATCH_SYNC) for page in pages for m in page.items])))
        for page in pages:
            summary.outcomes.update(next(events).status.value for _ in page.items)
            summary.pages += 1
            if page.next_cursor is not None:
                summary.next_cursor = page.next_cursor
            if command.on_page is not None:
                command.on_page(len(page.items), summary.outcomes)
