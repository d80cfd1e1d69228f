"""`vantrexia worker --concurrency 2` as its own process on Postgres: delivers, then stops on SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select

from adapters.sql.engine import create_engine
from adapters.sql.tables import outbox
from tests.support.api import enrol_patient, login_stored
from tests.support.app import build_app, deliver, fixture, settings_for_tests
from tests.support.world import World

pytestmark = pytest.mark.postgres


async def _delivered(url: str) -> int:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            return int(await connection.scalar(
                select(func.count()).select_from(outbox).where(outbox.c.status == "delivered")) or 0)
    finally:
        await engine.dispose()


async def test_a_separate_worker_process_delivers_and_shuts_down_gracefully(postgres_url: str, tmp_path: Path) -> None:
    world = World()
    app = build_app(world, settings_for_tests(database_url=postgres_url), fake_database=False)
    async with AsyncTestClient(app=app) as client:
        auth = await login_stored(client, "dr-sql")
        await enrol_patient(client, auth)
        for offset in range(3):
            await deliver(client, fixture("bp_normal", ts=1795183194 + offset * 60))
    env = {**os.environ, "DATABASE_URL": postgres_url, "VANTREXIA_KEY_FILE": str(tmp_path / "keys.json"),
           "VANTREXIA_WORKER_POLL_SECONDS": "0.2", "LOG_LEVEL": "WARNING"}
    worker = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "entrypoints.cli", "worker", "--concurrency", "2", env=env)
    try:
        for _ in range(150):  # at most 30 s
            if await _delivered(postgres_url) >= 6:
                break
            await asyncio.sleep(0.2)
        assert await _delivered(postgres_url) == 6  # 3 readings x (blood pressure + heart rate)
    finally:
        worker.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(worker.wait(), 20)
    assert code == 0
