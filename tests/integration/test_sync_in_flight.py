"""The batch sync with two groups in flight, on every unit of work (fake, SQLite, Postgres; only Postgres
runs the two transactions truly at once): pages reported in pull order, a failing group stops the sync
with what came before it kept, and consecutive groups of one device and patient store each reading once,
move last-seen to the latest and raise one alert."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import datetime, timedelta

import pytest

from adapters.fakes.audit import FakeAuditLog
from adapters.fakes.clock import FixedClock
from adapters.fakes.device_gateway import FakeDeviceGateway
from adapters.system.clock import UuidGenerator
from application.auditing import Auditor
from application.sync_device_readings import SyncDeviceReadings, SyncPolicy, SyncReadings
from application.take_in_deliveries import TakeInDeliveries, TakeInDeliveriesCommand
from application.triage_reading import TriagePolicy, TriageReading
from domain.deliveries import DeliveryStatus, DeviceTelemetry, IncomingDelivery
from domain.events import DeliveryTakenIn
from domain.ports.device_gateway import GatewayMessage, GatewayPage
from tests.integration.builders import assignment, seeded
from tests.integration.conftest import UowFactory
from tests.unit.conftest import NOW, bp

IN_FLIGHT = SyncPolicy(readings_per_transaction=4, groups_in_flight=2)


class TickingClock:
    """Each look at it is a second later than the one before (each group its own `now`)."""

    def __init__(self, start: datetime) -> None:
        self.seen: list[datetime] = []
        self._next = start

    def now(self) -> datetime:
        self.seen.append(self._next)
        self._next += timedelta(seconds=1)
        return self.seen[-1]


def _gateway(messages: list[DeviceTelemetry], page_size: int = 2) -> FakeDeviceGateway:
    gateway = FakeDeviceGateway(page_size)
    gateway.messages = [GatewayMessage(IncomingDelivery("mioconnect", f"sync:m{n}", b"{}", message))
                        for n, message in enumerate(messages)]
    return gateway


async def _ten_readings(new_uow: UowFactory) -> list[DeviceTelemetry]:
    """Ten readings of a device the database knows (unassigned: they are kept in quarantine)."""
    _, cuff = await seeded(new_uow())
    return [bp(at=NOW - timedelta(minutes=n), device=cuff.gateway_device_id) for n in range(10)]


class BreakingGateway(FakeDeviceGateway):
    """Serves `pages` pages, then cannot be reached."""

    def __init__(self, messages: list[GatewayMessage], pages: int) -> None:
        super().__init__(page_size=2)
        self.messages, self._left = messages, pages

    async def readings_since(self, cursor: str | None) -> GatewayPage[GatewayMessage]:
        if self._left == 0:
            raise ConnectionError("device cloud unreachable")
        self._left -= 1
        return await super().readings_since(cursor)


class FreshIntake:
    """TakeInDeliveries on a unit of work of its own per call (as the composition's intake); `failing`:
    the call numbers that fail instead."""

    def __init__(self, new_uow: UowFactory, clock: TickingClock, failing: frozenset[int] = frozenset()) -> None:
        self.calls = 0
        self._new_uow, self._clock, self._failing = new_uow, clock, failing
        self._ids = UuidGenerator()

    async def __call__(self, command: TakeInDeliveriesCommand) -> list[DeliveryTakenIn]:
        self.calls += 1
        if self.calls in self._failing:
            raise RuntimeError("the database refused the page")
        triage = TriageReading(self._ids, TriagePolicy())
        auditor = Auditor(FakeAuditLog(), FixedClock(NOW))
        return await TakeInDeliveries(self._new_uow(), self._clock, self._ids, auditor, triage)(command)


class OvertakingIntake:
    """Answers the first group only once the second one has been answered (waiting by yielding to the
    event loop, a bounded number of times): the second group overtakes the first if both are in flight."""

    def __init__(self) -> None:
        self.started = 0
        self.answered: list[int] = []

    async def __call__(self, command: TakeInDeliveriesCommand) -> list[DeliveryTakenIn]:
        number = self.started = self.started + 1
        if number == 1:
            for _ in range(100):
                if self.answered:
                    break
                await asyncio.sleep(0)
        self.answered.append(number)
        status = DeliveryStatus.ACCEPTED if number == 1 else DeliveryStatus.DUPLICATE
        return [DeliveryTakenIn(f"d{number}-{n}", status) for n, _ in enumerate(command.arrivals)]


async def test_with_a_later_group_done_first_pages_are_still_reported_in_pull_order() -> None:
    intake = OvertakingIntake()
    sync = SyncDeviceReadings(_gateway([bp()] * 6), intake, Auditor(FakeAuditLog(), FixedClock(NOW)), IN_FLIGHT)
    reported: list[tuple[int, Counter[str]]] = []
    summary = await sync(SyncReadings(on_page=lambda count, outcomes: reported.append((count, Counter(outcomes)))))
    assert intake.answered == [2, 1]  # both were in flight, the second answered first
    assert reported == [(2, Counter(accepted=2)), (2, Counter(accepted=4)), (2, Counter(accepted=4, duplicate=2))]
    assert (summary.pages, summary.next_cursor, summary.outcomes) == (3, "4", Counter(accepted=4, duplicate=2))


async def test_a_failing_group_stops_the_sync_and_keeps_what_was_taken_in_before_it(new_uow: UowFactory) -> None:
    intake = FreshIntake(new_uow, TickingClock(NOW), failing=frozenset({2}))
    sync = SyncDeviceReadings(_gateway(await _ten_readings(new_uow)), intake, Auditor(FakeAuditLog(), FixedClock(NOW)),
                              SyncPolicy(2, groups_in_flight=2))
    reported: list[int] = []
    with pytest.raises(RuntimeError, match="refused"):
        await sync(SyncReadings(on_page=lambda count, _: reported.append(count)))
    assert reported == [2]  # the first group's page; the failed one and those after it are not counted
    async with new_uow() as uow:
        kept = {n for n in range(10) if await uow.deliveries.by_webhook_id("mioconnect", f"sync:m{n}")}
    # the group in flight beside the failing one finished (its deliveries dedupe when pulled again);
    # none was started after the failure
    assert kept == {0, 1, 4, 5}
    assert intake.calls == 3


async def test_a_failing_fetch_takes_in_and_counts_every_page_pulled_before_it(new_uow: UowFactory) -> None:
    gateway = BreakingGateway(_gateway(await _ten_readings(new_uow)).messages, pages=3)
    audit = FakeAuditLog()
    sync = SyncDeviceReadings(gateway, FreshIntake(new_uow, TickingClock(NOW)), Auditor(audit, FixedClock(NOW)),
                              SyncPolicy(2, groups_in_flight=2))
    reported: list[int] = []
    with pytest.raises(ConnectionError):
        await sync(SyncReadings(on_page=lambda count, _: reported.append(count)))
    assert reported == [2, 2, 2]
    async with new_uow() as uow:
        kept = {n for n in range(10) if await uow.deliveries.by_webhook_id("mioconnect", f"sync:m{n}")}
    assert kept == set(range(6))
    assert [e.outcome.value for e in audit.entries if e.action == "gateway.readings.fetch"].count("failure") == 1


async def test_consecutive_groups_of_one_device_keep_each_reading_once_the_latest_last_seen_and_one_alert(
    new_uow: UowFactory,
) -> None:
    patient, cuff = await seeded(new_uow())
    async with new_uow() as uow:
        await uow.devices.add_assignment(assignment(cuff.id, patient.id, NOW - timedelta(days=30)))
        await uow.commit()
    times = [NOW - timedelta(minutes=n) for n in range(1, 13)]
    readings = [bp(sys_=185 if n % 4 == 0 else 128, at=at, device=cuff.gateway_device_id) for n, at in enumerate(times)]
    readings.append(readings[9])  # sent again, into the next group (of its own): a duplicate
    clock = TickingClock(NOW)
    sync = SyncDeviceReadings(_gateway(readings), FreshIntake(new_uow, clock), Auditor(FakeAuditLog(), FixedClock(NOW)),
                              IN_FLIGHT)
    summary = await sync(SyncReadings())
    assert summary.outcomes == Counter(accepted=12, duplicate=1)
    async with new_uow() as uow:
        stored = await uow.readings.between(patient.id, NOW - timedelta(hours=1), NOW)
        alerts = await uow.alerts.for_patient(patient.id)
        device = await uow.devices.get(cuff.id)
    assert sorted(r.measured_at for r in stored) == sorted(times)
    assert [a.rule for a in alerts] == ["bp_crisis"]  # raised by the first group, seen by the later ones
    assert device is not None
    assert device.last_seen_at == max(clock.seen)
