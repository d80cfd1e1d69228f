"""Growth: the webhook ingest rate with 10 k readings already stored, then with 1 M (COPY-loaded
into `readings` and `deliveries`, vacuumed and checkpointed), on one API process and database; and
the WAL each request wrote (after a checkpoint, every index page a request touches first is written
whole, so keys spread over random pages cost far more WAL as the tables grow)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from benchmarks import SIZES
from benchmarks.procs import start_server, wait_quiet
from benchmarks.rows import DELIVERY_COLUMNS, READING_COLUMNS, filler
from benchmarks.stage import Stage, close_stage, open_stage
from benchmarks.webhook import APP, Measured, measure_app

CHUNK = 100_000
TEMPLATES = 64  # distinct value sets the filler cycles through


@dataclass(frozen=True)
class GrowthResult:
    small: Measured
    large: Measured
    small_rows: int
    large_rows: int
    wal_bytes: tuple[int, int]  # written by the whole cluster during each replay (warm-up included)

    def summary(self) -> dict[str, Any]:
        small, large = self.small.load, self.large.load
        return {"rate_10k": round(small.rps, 1), "rate_1m": round(large.rps, 1),
                "ratio": round(large.rps / small.rps, 3), "rows_small": self.small_rows,
                "rows_large": self.large_rows, "p99_ms_10k": round(small.p99_ms, 2),
                "p99_ms_1m": round(large.p99_ms, 2), "cpu_ms_per_request_10k": round(self.small.cpu_ms_per_request, 2),
                "cpu_ms_per_request_1m": round(self.large.cpu_ms_per_request, 2),
                "generator_cpu_share_10k": round(small.generator_cpu_share, 3),
                "generator_cpu_share_1m": round(large.generator_cpu_share, 3),
                "wal_kb_per_request_10k": _per_request_kb(self.wal_bytes[0], self.small),
                "wal_kb_per_request_1m": _per_request_kb(self.wal_bytes[1], self.large)}


def _per_request_kb(wal_bytes: int, measured: Measured) -> float:
    return round(wal_bytes / 1024 / max(measured.load.requests + measured.warm_requests, 1), 2)


async def _wal_position(stage: Stage) -> int:
    return int(await stage.database.fetchval("SELECT pg_current_wal_lsn() - '0/0'::pg_lsn"))


async def load(stage: Stage, start: int, count: int) -> None:
    """COPY `count` filler readings (and their deliveries), older than anything the run ingests."""
    connection = await stage.database.connect()
    try:
        devices = [(r["device_id"], r["patient_id"]) for r in await connection.fetch(
            "SELECT device_id, patient_id FROM device_assignments ORDER BY device_id")]
        templates = stage.source.bodies(TEMPLATES)
        newest = datetime.now(UTC) - timedelta(days=2)
        rows = filler(templates, devices, count, start, newest)
        while chunk := [pair for _, pair in zip(range(CHUNK), rows, strict=False)]:
            await connection.copy_records_to_table("deliveries", records=[d for d, _ in chunk],
                                                   columns=list(DELIVERY_COLUMNS))
            await connection.copy_records_to_table("readings", records=[r for _, r in chunk],
                                                   columns=list(READING_COLUMNS))
    finally:
        await connection.close()
    await stage.database.settle("readings", "deliveries")


async def growth() -> GrowthResult:
    """On a database of its own, so the other scenarios' rows do not count."""
    stage = await open_stage()
    try:
        await load(stage, 0, SIZES.growth_small)
        api = start_server("api-growth", "uvicorn", APP, stage.app_env(), stage.workdir)
        try:
            wait_quiet()
            wal = await _wal_position(stage)
            small = measure_app(stage, api, SIZES.growth_seconds)
            small_wal = await _wal_position(stage) - wal
            await load(stage, SIZES.growth_small, SIZES.growth_large - SIZES.growth_small)
            wait_quiet()
            wal = await _wal_position(stage)
            large = measure_app(stage, api, SIZES.growth_seconds)
            large_wal = await _wal_position(stage) - wal
        finally:
            api.stop()
    finally:
        await close_stage(stage)
    return GrowthResult(small, large, SIZES.growth_small, SIZES.growth_large, (small_wal, large_wal))
