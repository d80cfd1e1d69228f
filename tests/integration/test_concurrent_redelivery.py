"""Exactly once under concurrent re-delivery: real HTTP to a live server on Postgres."""

from __future__ import annotations

import asyncio
from collections import Counter

import httpx
import pytest
from sqlalchemy import func, select

from adapters.sql.engine import create_engine
from adapters.sql.tables import deliveries, devices, readings
from tests.support.app import TELEMETRY, build_app, fixture, settings_for_tests, signed
from tests.support.live import live_server
from tests.support.world import World

pytestmark = pytest.mark.postgres
COPIES = 20


async def _counts(database_url: str) -> tuple[int, int, int]:
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            counted = [await connection.scalar(select(func.count()).select_from(t))
                       for t in (deliveries, readings, devices)]
        return int(counted[0] or 0), int(counted[1] or 0), int(counted[2] or 0)
    finally:
        await engine.dispose()


async def _post_all(url: str, requests: list[tuple[bytes, dict[str, str]]]) -> Counter[str]:
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        answers = await asyncio.gather(*(client.post(TELEMETRY, content=raw, headers=h) for raw, h in requests))
    assert {a.status_code for a in answers} == {202}
    return Counter(a.json()["status"] for a in answers)


async def test_the_same_webhook_id_sent_concurrently_is_stored_once(postgres_url: str) -> None:
    app = build_app(World(), settings_for_tests(database_url=postgres_url), fake_database=False)
    raw, headers = signed(fixture("bp_normal"), webhook_id="msg_race")
    with live_server(app) as url:
        outcomes = await _post_all(url, [(raw, headers)] * COPIES)
    assert outcomes == Counter({"quarantined": 1, "duplicate": COPIES - 1})
    assert await _counts(postgres_url) == (1, 1, 1)


async def test_the_same_reading_under_new_webhook_ids_is_stored_once(postgres_url: str) -> None:
    app = build_app(World(), settings_for_tests(database_url=postgres_url), fake_database=False)
    requests = [signed(fixture("scale")) for _ in range(COPIES)]
    with live_server(app) as url:
        outcomes = await _post_all(url, requests)
    assert outcomes == Counter({"quarantined": 1, "duplicate": COPIES - 1})
    assert await _counts(postgres_url) == (COPIES, 1, 1)  # every delivery kept, one reading, one device
