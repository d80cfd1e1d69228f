"""Batch ingest: `vantrexia sync devices` (SyncDeviceReadings, in process, on the app's container)
pulling N readings from a fake device cloud, beside a raw COPY of the same rows into a plain table."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from adapters.fakes.device_gateway import FakeDeviceGateway
from adapters.mioconnect.client import PAGE_SIZE
from adapters.mioconnect.inbound import telemetry_delivery
from application.sync_device_readings import SyncDeviceReadings, SyncReadings
from benchmarks import SIZES
from benchmarks.rows import CREATE_PLAIN_TABLE, PLAIN_TABLE, READING_COLUMNS, reading_tuple
from benchmarks.stage import Stage
from domain.ports import DeviceGateway
from domain.ports.device_gateway import GatewayMessage
from entrypoints.container import build_container
from entrypoints.process import settle_after_startup

WARMUP_READINGS = 100


@dataclass(frozen=True)
class BatchResult:
    readings: int
    sync_seconds: float
    copy_seconds: float
    outcomes: dict[str, int]

    def summary(self) -> dict[str, Any]:
        readings_per_s, copy_per_s = self.readings / self.sync_seconds, self.readings / self.copy_seconds
        return {"readings_per_s": round(readings_per_s, 1), "copy_rows_per_s": round(copy_per_s, 1),
                "ratio": round(readings_per_s / copy_per_s, 4), "readings": self.readings,
                "outcomes": self.outcomes}


def _messages(bodies: list[bytes]) -> list[GatewayMessage]:
    """As the MioConnect client hands them over: id, raw body and the parsed telemetry."""
    return [GatewayMessage(telemetry_delivery(f"sync_{uuid.uuid4().hex}", body)) for body in bodies]


async def sync_readings(stage: Stage, count: int, warmup: int = WARMUP_READINGS) -> tuple[float, dict[str, int]]:
    """Seconds SyncDeviceReadings took for `count` new readings (after `warmup` others), and outcomes."""
    container = build_container(stage.settings)
    settle_after_startup()  # as `vantrexia sync devices` does
    try:
        gateway = await container.get(DeviceGateway)
        if not isinstance(gateway, FakeDeviceGateway):
            raise RuntimeError("the batch benchmark needs VANTREXIA_DEVICE_GATEWAY=fake")
        gateway.page_size = PAGE_SIZE  # pages as large as the MioConnect client asks for
        if warmup:
            gateway.messages = _messages(stage.source.bodies(warmup))  # connections, caches
            async with container() as scope:
                await (await scope.get(SyncDeviceReadings))(SyncReadings())
        gateway.messages = _messages(stage.source.bodies(count))
        async with container() as scope:
            sync = await scope.get(SyncDeviceReadings)
            started = time.perf_counter()
            summary = await sync(SyncReadings())
            elapsed = time.perf_counter() - started
    finally:
        await container.close()
    return elapsed, dict(summary.outcomes)


async def copy_rows(stage: Stage, count: int) -> float:
    """Seconds one COPY of `count` equivalent rows into a plain table took (rows built beforehand)."""
    now = datetime.now(UTC)
    rows = [reading_tuple(body, "device", None, now) for body in stage.source.bodies(count)]
    await stage.database.execute(CREATE_PLAIN_TABLE)
    connection = await stage.database.connect()
    try:
        await connection.copy_records_to_table(PLAIN_TABLE, records=rows[:WARMUP_READINGS],
                                               columns=[*READING_COLUMNS, "body"])
        started = time.perf_counter()
        await connection.copy_records_to_table(PLAIN_TABLE, records=rows, columns=[*READING_COLUMNS, "body"])
        return time.perf_counter() - started
    finally:
        await connection.close()


async def batch_ingest(stage: Stage, count: int = SIZES.batch_readings) -> BatchResult:
    sync_seconds, outcomes = await sync_readings(stage, count)
    return BatchResult(count, sync_seconds, await copy_rows(stage, count), outcomes)
