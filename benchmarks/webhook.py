"""Webhook ingest: signed, verified, de-duplicated and stored with its outbox row, beside the bare
Litestar + asyncpg baseline, each under uvicorn (uvloop, httptools) and under granian."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks import SIZES
from benchmarks.loadgen import LoadResult, replay
from benchmarks.pg import status_counts
from benchmarks.procs import SERVERS, Process, start_server, wait_quiet
from benchmarks.profiling import profiled
from benchmarks.seed import raw_requests
from benchmarks.stage import Stage

APP = "entrypoints.http.asgi:create"
BASELINE = "benchmarks.baseline_app:create"
TRIVIAL = "benchmarks.trivial_app:create"
BASELINE_BODIES = 5_000  # the baseline does not de-duplicate: these are replayed in a cycle


@dataclass(frozen=True)
class Measured:
    """A replay and the CPU seconds the server's process tree spent during it."""

    load: LoadResult
    server_cpu: float
    warm_requests: int = 0  # answered in the warm-up replay before the measured one

    @property
    def cpu_ms_per_request(self) -> float:
        return self.server_cpu * 1000 / max(self.load.requests, 1)

    def together(self, other: Measured) -> Measured:
        """Two replays of the same server as one: requests over seconds, CPU over requests."""
        return Measured(self.load.together(other.load), self.server_cpu + other.server_cpu,
                        self.warm_requests + other.warm_requests)


@dataclass(frozen=True)
class Run:
    """One server's figures: the app's replay, the baseline's, the app's peak RSS and outcomes."""

    measured: Measured
    measured_baseline: Measured
    rss_mb: float
    outcomes: dict[str, int]

    @property
    def app(self) -> LoadResult:
        return self.measured.load

    @property
    def baseline(self) -> LoadResult:
        return self.measured_baseline.load

    def summary(self) -> dict[str, Any]:
        return {
            "rps": round(self.app.rps, 1), "p50_ms": round(self.app.p50_ms, 2), "p99_ms": round(self.app.p99_ms, 2),
            "baseline_rps": round(self.baseline.rps, 1), "baseline_p50_ms": round(self.baseline.p50_ms, 2),
            "baseline_p99_ms": round(self.baseline.p99_ms, 2), "ratio": round(self.app.rps / self.baseline.rps, 3),
            "rss_mb": round(self.rss_mb, 1), "errors": self.app.errors + self.baseline.errors,
            "exhausted": self.app.exhausted, "outcomes": self.outcomes,
            "loadgen": self.app.tool, "loadgen_cpu_share": round(self.app.loadgen_cpu_share, 3),
            "baseline_loadgen_cpu_share": round(self.baseline.loadgen_cpu_share, 3),
            "generator_cpu_share": round(self.app.generator_cpu_share, 3),
            "baseline_generator_cpu_share": round(self.baseline.generator_cpu_share, 3),
            "cpu_ms_per_request": round(self.measured.cpu_ms_per_request, 2),
            "baseline_cpu_ms_per_request": round(self.measured_baseline.cpu_ms_per_request, 3),
        }


def _timed(process: Process, requests: list[bytes], seconds: float, workdir: Path, cycle: bool) -> Measured:
    cpu = process.cpu_seconds()
    with profiled(process, f"webhook-{process.name}"):
        load = replay(process.port, requests, seconds=seconds, connections=SIZES.connections, workdir=workdir,
                      cycle=cycle)
    return Measured(load, process.cpu_seconds() - cpu)


def measure_app(stage: Stage, process: Process, seconds: float) -> Measured:
    """A warm-up replay sizes the measured one, so the unique requests outlast the time."""
    warm_count = int(2_000 * SIZES.warmup_seconds)
    warm = replay(process.port, raw_requests(stage.secret, stage.source.bodies(warm_count), process.port),
                  seconds=SIZES.warmup_seconds, connections=SIZES.connections, workdir=stage.workdir)
    factor = 3.0 if warm.exhausted else 1.6
    count = int(warm.rps * seconds * factor) + 2_000
    requests = raw_requests(stage.secret, stage.source.bodies(count), process.port)
    measured = _timed(process, requests, seconds, stage.workdir, cycle=False)
    return Measured(measured.load, measured.server_cpu, warm.requests)


def measure_baseline(stage: Stage, process: Process, seconds: float) -> Measured:
    requests = raw_requests(stage.secret, stage.source.bodies(BASELINE_BODIES), process.port)
    replay(process.port, requests, seconds=SIZES.warmup_seconds, connections=SIZES.connections,
           workdir=stage.workdir, cycle=True)
    return _timed(process, requests, seconds, stage.workdir, cycle=True)


async def run_server(stage: Stage, server: str, seconds: float) -> Run:
    """The baseline just before and just after the app (its figures are the two replays together), so
    a machine that speeds up or slows down during the run moves both sides of the ratio alike."""
    wait_quiet()
    baseline_process = start_server(f"baseline-{server}", server, BASELINE, stage.baseline_env(), stage.workdir)
    try:
        before = measure_baseline(stage, baseline_process, seconds)
        since = datetime.now(UTC)
        wait_quiet()
        app_process = start_server(f"api-{server}", server, APP, stage.app_env(), stage.workdir)
        try:
            app = measure_app(stage, app_process, seconds)
            rss = app_process.peak_rss_mb()
        finally:
            app_process.stop()
        wait_quiet()
        after = measure_baseline(stage, baseline_process, seconds)
    finally:
        baseline_process.stop()
    return Run(app, before.together(after), rss, await status_counts(stage.database, "deliveries", since))


async def webhook_ingest(stage: Stage) -> dict[str, Run]:
    """Both servers, baseline first each time, in one run on the same database."""
    return {server: await run_server(stage, server, SIZES.webhook_seconds) for server in SERVERS}


def measure_ceiling(stage: Stage) -> dict[str, Any]:
    """wrk against the constant endpoint under uvicorn, exactly as the baselines are loaded."""
    wait_quiet()
    process = start_server("ceiling-uvicorn", "uvicorn", TRIVIAL, stage.app_env(), stage.workdir)
    try:
        measured = measure_baseline(stage, process, SIZES.webhook_seconds)
    finally:
        process.stop()
    load = measured.load
    return {"ceiling_rps": round(load.rps, 1), "cpu_share": round(load.generator_cpu_share, 3),
            "p50_ms": round(load.p50_ms, 2), "p99_ms": round(load.p99_ms, 2), "errors": load.errors,
            "server_cpu_ms_per_request": round(measured.cpu_ms_per_request, 3), "endpoint": TRIVIAL,
            "server": "uvicorn", "connections": SIZES.connections, "seconds": SIZES.webhook_seconds}
