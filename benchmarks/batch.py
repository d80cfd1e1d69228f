"""Batch ingest: `vantrexia sync devices` (SyncDeviceReadings, in process, on the app's container)
pulling N readings from a fake device cloud, beside a raw COPY of the same readings' rows into the
`readings` table itself, with its keys and constraints (the baseline, as the issue asks: "COPY into the
same table"), and into a plain table with none (reported beside it)."""

from __future__ import annotations

import json
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
    copy_seconds: float  # into `readings`: the baseline
    plain_copy_seconds: float  # into a table with no key, index or constraint
    outcomes: dict[str, int]

    def summary(self) -> dict[str, Any]:
        readings_per_s, copy_per_s = self.readings / self.sync_seconds, self.readings / self.copy_seconds
        plain_per_s = self.readings / self.plain_copy_seconds
        return {"readings_per_s": round(readings_per_s, 1), "copy_rows_per_s": round(copy_per_s, 1),
                "ratio": round(readings_per_s / copy_per_s, 4), "copy_table": "readings",
                "plain_copy_rows_per_s": round(plain_per_s, 1),
                "ratio_to_plain_copy": round(readings_per_s / plain_per_s, 4), "readings": self.readings,
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


_ASSIGNED = ("SELECT d.gateway_device_id, d.id, a.patient_id FROM devices AS d"
             " JOIN device_assignments AS a ON a.device_id = d.id")


async def _timed_copy(connection: Any, table: str, columns: list[str], rows: list[tuple[Any, ...]]) -> float:
    """Seconds one COPY of `rows` took, committed (after a small warm-up COPY of other rows)."""
    await connection.copy_records_to_table(table, records=rows[:WARMUP_READINGS], columns=columns)
    started = time.perf_counter()
    async with connection.transaction():
        await connection.copy_records_to_table(table, records=rows[WARMUP_READINGS:], columns=columns)
    return time.perf_counter() - started


async def copy_into_readings(stage: Stage, count: int) -> float:
    """Seconds one COPY of `count` new readings into `readings` took: the rows the sync would write for
    them (device and patient from the stage's assignments), built beforehand; removed again after."""
    now = datetime.now(UTC)
    connection = await stage.database.connect()
    try:
        assigned = {row[0]: (row[1], row[2]) for row in await connection.fetch(_ASSIGNED)}
        rows = []
        for body in stage.source.bodies(count + WARMUP_READINGS):
            device_id, patient_id = assigned[json.loads(body)["deviceId"]]
            rows.append(reading_tuple(body, device_id, patient_id, now)[:-1])  # without the raw body
        seconds = await _timed_copy(connection, "readings", list(READING_COLUMNS), rows)
        await connection.execute("DELETE FROM readings WHERE id = ANY($1::text[])", [row[0] for row in rows])
        return seconds
    finally:
        await connection.close()


async def copy_into_plain_table(stage: Stage, count: int) -> float:
    """Seconds one COPY of `count` equivalent rows (and their raw bodies) into a table with no key,
    index or constraint took."""
    now = datetime.now(UTC)
    rows = [reading_tuple(body, "device", None, now) for body in stage.source.bodies(count + WARMUP_READINGS)]
    await stage.database.execute(CREATE_PLAIN_TABLE)
    connection = await stage.database.connect()
    try:
        return await _timed_copy(connection, PLAIN_TABLE, [*READING_COLUMNS, "body"], rows)
    finally:
        await connection.close()


async def batch_ingest(stage: Stage, count: int = SIZES.batch_readings) -> BatchResult:
    sync_seconds, outcomes = await sync_readings(stage, count)
    return BatchResult(count, sync_seconds, await copy_into_readings(stage, count),
                       await copy_into_plain_table(stage, count), outcomes)
