"""The real MioConnect REST adapter (httpx) against a local stand-in of the device cloud."""

from __future__ import annotations

import ssl
from collections import Counter
from typing import Any

import httpx
import pytest

from adapters.fakes.audit import FakeAuditLog
from adapters.fakes.unit_of_work import FakeUnitOfWork
from adapters.mioconnect.client import GatewayError, MioConnectGateway, gateway_client, tls_context
from application.auditing import Auditor
from application.sync_device_readings import SyncDeviceReadings, SyncPolicy, SyncReadings
from application.take_in_deliveries import TakeInDeliveries
from application.triage_reading import TriagePolicy, TriageReading
from tests.support.app import fixture
from tests.support.gateway_standin import API_KEY, GatewayState, gateway_standin
from tests.support.world import World

SLEPT: list[float] = []


def _gateway(state: GatewayState, api_key: str = API_KEY, **options: Any) -> MioConnectGateway:
    """The real client over a mounted ASGI transport: real HTTP semantics, no network."""
    transport = httpx.ASGITransport(app=gateway_standin(state))
    client = gateway_client("http://gateway.test", api_key, transport=transport)
    return MioConnectGateway(client, sleep=_record_sleep, **options)


async def _record_sleep(seconds: float) -> None:
    SLEPT.append(seconds)


def _messages(count: int) -> list[dict[str, Any]]:
    return [{"id": f"m{n}", "message": fixture("bp_normal")} for n in range(count)]


async def test_readings_are_paged_with_limit_and_next_token() -> None:
    state = GatewayState(messages=_messages(5))
    gateway = _gateway(state, page_size=2)
    seen, cursor = [], None
    while True:
        page = await gateway.readings_since(cursor)
        seen.extend(page.items)
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert len(seen) == 5
    assert [q.get("limit") for _, q in state.requests] == ["2", "2", "2"]
    assert [q.get("nextToken") for _, q in state.requests] == [None, "2", "4"]


async def test_429_and_503_are_retried_honouring_retry_after() -> None:
    state = GatewayState(messages=_messages(1), failures=[(429, {"Retry-After": "3"}), (503, {})])
    SLEPT.clear()
    page = await _gateway(state).readings_since(None)
    assert len(page.items) == 1
    assert SLEPT == [3.0, 1.0]


async def test_persistent_failure_and_a_wrong_key_are_clear_errors() -> None:
    failing = _gateway(GatewayState(failures=[(500, {})] * 10), max_retries=2)
    with pytest.raises(GatewayError, match="500"):
        await failing.readings_since(None)
    with pytest.raises(GatewayError, match="403"):
        await _gateway(GatewayState(), api_key="wrong").readings_since(None)


async def test_batch_sync_goes_through_validation_and_dedupe() -> None:
    messages = [
        {"id": "m1", "message": fixture("bp_normal")},
        {"id": "m2", "message": fixture("bp_normal")},  # same reading again: duplicate
        {"id": "m3", "message": fixture("pulseox_sentinel")},  # device could not measure: discarded
        {"id": "m4", "message": {"deviceId": 5}},  # unusable body: kept as rejected
    ]
    world = World()
    record = TakeInDeliveries(FakeUnitOfWork(world.store), world.clock, world.ids,
                              Auditor(FakeAuditLog(), world.clock), TriageReading(world.ids, TriagePolicy()))
    pages: list[int] = []
    audit = FakeAuditLog()
    gateway = _gateway(GatewayState(messages=messages), page_size=3)
    sync = SyncDeviceReadings(gateway, record, Auditor(audit, world.clock), SyncPolicy())
    summary = await sync(SyncReadings(on_page=lambda n, _: pages.append(n)))
    assert summary.outcomes == Counter({"quarantined": 1, "duplicate": 1, "discarded": 1, "rejected": 1})
    assert pages == [3, 1]
    assert len(world.store.committed.deliveries) == 4
    assert audit.actions() == ["gateway.readings.fetch", "gateway.readings.fetch"]
    again = await sync(SyncReadings())
    assert again.outcomes == Counter({"duplicate": 4})


@pytest.mark.parametrize(("limit", "transactions"), [(1000, 1), (4, 2), (3, 3), (1, 4)])
async def test_a_sync_takes_pulled_pages_in_together_up_to_the_limit_and_reports_each_page(
    limit: int, transactions: int
) -> None:
    messages = [{"id": f"m{n}", "message": fixture("bp_normal")} for n in range(7)]
    world = World()
    record = TakeInDeliveries(FakeUnitOfWork(world.store), world.clock, world.ids,
                              Auditor(FakeAuditLog(), world.clock), TriageReading(world.ids, TriagePolicy()))
    pages: list[int] = []
    sync = SyncDeviceReadings(_gateway(GatewayState(messages=messages), page_size=2), record,
                              Auditor(FakeAuditLog(), world.clock), SyncPolicy(limit))
    summary = await sync(SyncReadings(on_page=lambda n, _: pages.append(n)))
    assert pages == [2, 2, 2, 1]
    assert summary.pages == 4
    assert summary.outcomes == Counter({"quarantined": 1, "duplicate": 6})
    assert world.store.commits == transactions
    assert len(world.store.committed.deliveries) == 7


async def test_a_sync_stopped_by_max_pages_resumes_after_the_last_page_taken_in() -> None:
    messages = [{"id": f"m{n}", "message": fixture("bp_normal")} for n in range(5)]
    world = World()
    record = TakeInDeliveries(FakeUnitOfWork(world.store), world.clock, world.ids,
                              Auditor(FakeAuditLog(), world.clock), TriageReading(world.ids, TriagePolicy()))
    gateway = _gateway(GatewayState(messages=messages), page_size=2)
    sync = SyncDeviceReadings(gateway, record, Auditor(FakeAuditLog(), world.clock), SyncPolicy())
    first = await sync(SyncReadings(max_pages=2))
    assert (first.pages, first.total) == (2, 4)
    rest = await sync(SyncReadings(cursor=first.next_cursor))
    assert (rest.pages, rest.total) == (1, 1)
    assert len(world.store.committed.deliveries) == 5


def test_the_gateway_client_requires_verified_tls_1_2() -> None:
    context = tls_context()
    assert context.minimum_version >= ssl.TLSVersion.TLSv1_2
    assert context.verify_mode is ssl.CERT_REQUIRED
    assert context.check_hostname
