"""SyncDeviceReadings: pull readings from the device cloud in pages, through the webhook's path.

Pulled pages are taken in by groups (one transaction each, up to `readings_per_transaction` readings), and
`groups_in_flight` groups run at once, each in a transaction (unit of work, connection) of its own: while
one group waits for Postgres, the next one's Python work runs. Pages are still reported (progress, summary,
cursor) in pull order, each once its group has committed.

What two intake transactions open at once meet on Postgres (READ COMMITTED):
- The same devices: a page writes what it heard from its devices last in its transaction, rows locked in
  id order (`observe_many`); last-seen only moves up and what a device did not report (battery, signal,
  firmware: it sent only readings) stays as stored, so the later group waits there for the earlier one's
  commit, and neither undoes the other.
- The same natural keys (a message or a reading pulled twice): ON CONFLICT waits for the other
  transaction, then counts a duplicate; nothing is stored twice. First contact of a new device
  (`seen_devices`) is such a key too: the second insert waits, then moves last-seen up.
- Triage: a later reading sees the alerts an earlier one raised. Group N+1 cannot see group N's alerts
  before N commits, so it waits: the intake locks its readings' patients (in id order) just before
  triage, and the later group's triage runs after the earlier one's commit. Only that tail (triage,
  audit, devices, commit) is serialized; the rest of the two groups overlaps. The same lock serializes
  the triage of webhook pages from several API processes, which raced before.
- Deadlocks: every intake takes its locks in one order (delivery and reading keys, patients by id, devices
  by id). A cycle remains possible only through keys two groups hold in opposite page orders (a message
  pulled twice), two new devices first seen in opposite orders, or a device assigned meanwhile (the
  assignment locks the device, then its patient); Postgres detects it and aborts one transaction, which the
  composition's intake (entrypoints/intake_wiring.py) takes in again from the start.
SQLite has one writer at a time (BEGIN IMMEDIATE): a second group's transaction waits for the first one's
commit before it begins, so groups run one after the other there, as on the fakes (one store lock).

A failing group fails the sync with its error once the groups in flight have finished (a transaction is not
cut off mid-commit): earlier groups stay committed and counted; it and the pages after it are not counted
(a later group already in flight may have committed: pulled again from the cursor, its deliveries are
duplicates). A failing fetch: the pages pulled before it are taken in and counted, then the sync fails.
"""

from __future__ import annotations

import asyncio
from collections import Counter, deque
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from typing import Any

from application.auditing import Auditor, AuditRecord
from application.context import Actor
from application.take_in_deliveries import Arrival, PageIntake, TakeInDeliveriesCommand
from domain.audit import AuditOutcome
from domain.events import DeliveryTakenIn
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
    larger than that on its own still goes whole): per-transaction costs are shared by several pages.
    `groups_in_flight` such transactions run at once (1: one after the other)."""

    readings_per_transaction: int = 1000
    groups_in_flight: int = 2

    def __post_init__(self) -> None:
        if self.groups_in_flight < 1:
            raise ValueError("at least one group is taken in at a time")


@dataclass
class SyncSummary:
    """Outcomes by delivery status (accepted, duplicate, discarded, quarantined, rejected)."""

    outcomes: Counter[str] = field(default_factory=Counter)
    pages: int = 0
    next_cursor: str | None = None

    @property
    def total(self) -> int:
        return sum(self.outcomes.values())


@dataclass(frozen=True)
class _Group:
    """Pulled pages being taken in together, in a task of their own."""

    pages: Sequence[Page]
    taken_in: asyncio.Task[list[DeliveryTakenIn]]


@dataclass
class _Flight:
    """The groups being taken in, oldest first; each is counted (in `summary`, and reported page by page)
    once it has committed and every group before it has been counted."""

    command: SyncReadings
    depth: int
    summary: SyncSummary
    groups: deque[_Group] = field(default_factory=deque)

    async def make_room(self) -> None:
        while len(self.groups) >= self.depth:
            await self._count_oldest()

    def start(self, pages: Sequence[Page], taking_in: Coroutine[Any, Any, list[DeliveryTakenIn]]) -> None:
        self.groups.append(_Group(pages, asyncio.create_task(taking_in)))

    async def land(self) -> None:
        while self.groups:
            await self._count_oldest()

    async def settle(self) -> None:
        """Wait for the groups in flight to end (committed or rolled back), counting none of them."""
        await asyncio.gather(*(group.taken_in for group in self.groups), return_exceptions=True)

    async def _count_oldest(self) -> None:
        group = self.groups[0]
        events = iter(await group.taken_in)  # its failure fails the sync: it stays in flight, uncounted
        self.groups.popleft()
        for page in group.pages:
            self.summary.outcomes.update(str(next(events).status) for _ in page.items)  # StrEnum: its value
            self.summary.pages += 1
            if page.next_cursor is not None:
                self.summary.next_cursor = page.next_cursor
            if self.command.on_page is not None:
                self.command.on_page(len(page.items), self.summary.outcomes)


class SyncDeviceReadings:
    """Pulled pages go through the one intake, exactly like webhooks taken in together."""

    def __init__(
        self, gateway: DeviceGateway, take_in: PageIntake, auditor: Auditor, policy: SyncPolicy,
    ) -> None:
        self._gateway = gateway
        self._take_in = take_in
        self._auditor = auditor
        self._limit = policy.readings_per_transaction
        self._depth = policy.groups_in_flight

    async def __call__(self, command: SyncReadings) -> SyncSummary:
        flight = _Flight(command, self._depth, SyncSummary(next_cursor=command.cursor))
        try:
            await self._pull(command, flight)
            await flight.land()
        except BaseException:
            await flight.settle()  # a transaction is never cut off mid-commit
            raise
        return flight.summary

    async def _pull(self, command: SyncReadings, flight: _Flight) -> None:
        held: list[Page] = []
        pulled, cursor, done = 0, command.cursor, False
        while not done:
            try:
                page = await self._fetch(cursor, pulled + 1)
            except Exception:
                await self._send(held, pulled, flight)  # what was pulled is kept before failing
                await flight.land()
                raise
            pulled += 1
            if held and sum(len(p.items) for p in held) + len(page.items) > self._limit:
                await self._send(held, pulled - 1, flight)
                held = []
            held.append(page)
            cursor = page.next_cursor
            done = cursor is None or pulled >= command.max_pages
        await self._send(held, pulled, flight)

    async def _fetch(self, cursor: str | None, number: int) -> Page:
        try:
            return await self._gateway.readings_since(cursor)
        except Exception:
            await self._auditor.record(BATCH_SYNC, "gateway.readings.fetch", "Delivery", (),
                                       AuditOutcome.FAILURE, page=str(number))
            raise

    async def _send(self, pages: Sequence[Page], last: int, flight: _Flight) -> None:
        """Start taking `pages` (numbered up to `last`) in, once there is room in flight."""
        if pages:
            await flight.make_room()
            flight.start(pages, self._take_in_pages(pages, last - len(pages) + 1))

    async def _take_in_pages(self, pages: Sequence[Page], first: int) -> list[DeliveryTakenIn]:
        """The pages' fetches audited (one write for them all, not one per page), then their deliveries
        taken in together."""
        await self._auditor.record_many([
            AuditRecord(BATCH_SYNC, "gateway.readings.fetch", "Delivery",
                        details={"page": str(number), "messages": str(len(page.items))})
            for number, page in enumerate(pages, first)])
        return await self._take_in(
            TakeInDeliveriesCommand([Arrival(m.delivery, BATCH_SYNC) for page in pages for m in page.items]))
