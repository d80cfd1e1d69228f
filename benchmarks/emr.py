"""EMR push throughput: a real `vantrexia worker` process (OutboxWorker → OutboxRelay)
pushing queued Observations over HTTP to the SMART/FHIR sandbox, whose every answer takes
`latency` seconds. Each loop keeps up to batch size pushes in flight (a sliding window), so the
concurrency is loops times batch size, and the bound is concurrency ÷ latency. Also counts token requests."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from adapters.sql.audit import SqlAuditLog
from adapters.sql.engine import create_engine
from benchmarks import SIZES
from benchmarks.batch import sync_readings
from benchmarks.pg import park_pending_outbox, status_counts
from benchmarks.procs import BIN, Process, busy_jiffies, busy_share, launch, wait_quiet
from benchmarks.profiling import profiled
from benchmarks.sandbox_proc import SandboxProcess
from benchmarks.stage import Stage

LIGHT = (1, 2)  # loops, batch size: two pushes in flight, far from any CPU limit
SETTLE_SECONDS = 0.3  # after the last 201, for the worker to record its last batch
SLOWEST_PER_S = 25  # waiting for the pushes allows for a worker this slow (a busy machine), not less


@dataclass(frozen=True)
class EmrResult:
    pushes: int
    seconds: float
    loops: int
    batch_size: int
    latency: float
    token_requests: int
    outcomes: dict[str, int]
    worker_cpu: float  # seconds, whole run including start-up
    machine_busy: float  # share of all CPUs busy during the run (anyone's work)
    steady: tuple[int, float]  # pushes and worker CPU seconds from the first 201 on (start-up excluded)
    sandbox_cpu: float = 0.0  # the sandbox's CPU seconds over the same pushes (it shares the machine)

    @property
    def concurrency(self) -> int:
        return self.loops * self.batch_size

    def summary(self) -> dict[str, Any]:
        per_s = (self.pushes - 1) / self.seconds if self.seconds else 0.0
        bound = self.concurrency / self.latency
        return {"per_s": round(per_s, 1), "bound_per_s": round(bound, 1), "ratio": round(per_s / bound, 3),
                "tokens_per_1000": round(self.token_requests * 1000 / max(self.pushes, 1), 3),
                "pushes": self.pushes, "concurrency": self.concurrency, "loops": self.loops,
                "batch_size": self.batch_size,
                "latency_ms": self.latency * 1000, "token_requests": self.token_requests,
                "worker_cpu_ms_per_push": round(self.steady[1] * 1000 / max(self.steady[0], 1), 2),
                "worker_cpu_ms_per_push_with_startup": round(self.worker_cpu * 1000 / max(self.pushes, 1), 2),
                "sandbox_cpu_ms_per_create": round(self.sandbox_cpu * 1000 / max(self.steady[0], 1), 2),
                "machine_busy": round(self.machine_busy, 3), "outcomes": self.outcomes}


async def seal_audit(stage: Stage) -> int:
    """Chain every audit entry written so far, so a worker does not spend the measurement on it."""
    engine = create_engine(stage.database.url)
    sealed = 0
    try:
        log = SqlAuditLog(engine, grace=timedelta(0))
        while batch := await log.seal():
            sealed += batch
    finally:
        await engine.dispose()
    return sealed


def sandbox_for(stage: Stage) -> SandboxProcess:
    """The sandbox with the configured latency, holding the stage's synthetic patients."""
    return SandboxProcess(stage.settings.key_file, SIZES.emr_latency_seconds, stage.settings.synthetic_patients)


def start_worker(stage: Stage, sandbox: SandboxProcess, loops: int = SIZES.emr_loops,
                 batch_size: int = SIZES.emr_batch_size) -> Process:
    """`vantrexia worker` (LISTEN/NOTIFY, default polling) with the ECW_* settings of the sandbox."""
    env = stage.app_env(**sandbox.ecw_env(), VANTREXIA_WORKER_BATCH_SIZE=str(batch_size))
    command = [str(BIN / "vantrexia"), "worker", "--concurrency", str(loops)]
    return launch(f"worker-{loops}x{batch_size}", command, env, stage.workdir)


async def queue_pushes(stage: Stage, pushes: int) -> None:
    """Exactly `pushes` pending Observations: nothing else waiting, readings synced, audit sealed."""
    await park_pending_outbox(stage.database)
    await sync_readings(stage, pushes // 2, warmup=0)  # a blood-pressure reading yields two Observations
    await seal_audit(stage)


async def push_all(stage: Stage, pushes: int, loops: int, batch_size: int) -> EmrResult:
    """Queue `pushes` Observations, start a worker, time their arrival at the sandbox."""
    since = datetime.now(UTC)
    await queue_pushes(stage, pushes)
    with sandbox_for(stage) as sandbox:
        wait_quiet()
        machine = busy_jiffies()
        worker = start_worker(stage, sandbox, loops, batch_size)
        try:
            bound = loops * batch_size / SIZES.emr_latency_seconds
            with profiled(worker, f"emr-{worker.name}"):
                first, first_cpu, first_sandbox_cpu = _first_creates(sandbox, worker)
                stats = sandbox.wait_creates(pushes, timeout=30 + max(4 * pushes / bound, pushes / SLOWEST_PER_S))
                sandbox_cpu = sandbox.cpu_seconds() - first_sandbox_cpu
                await asyncio.sleep(SETTLE_SECONDS)
            worker_cpu, busy = worker.cpu_seconds(), busy_share(machine)
        finally:
            worker.stop()
    times = sorted(t for _, t in stats["receipts"])
    if stats["creates"] < pushes:
        raise RuntimeError(f"only {stats['creates']} of {pushes} Observations arrived:\n{worker.tail()}")
    return EmrResult(len(times), times[-1] - times[0], loops, batch_size, SIZES.emr_latency_seconds,
                     stats["token_requests"], await status_counts(stage.database, "outbox", since), worker_cpu, busy,
                     (stats["creates"] - first, worker_cpu - first_cpu), sandbox_cpu)


def _first_creates(sandbox: SandboxProcess, worker: Process, timeout: float = 60.0) -> tuple[int, float, float]:
    """Once the first Observations arrived: how many, and the worker's and the sandbox's CPU seconds by
    then (the worker's start-up: imports, connections, the token), which the steady figures leave out."""
    deadline = time.monotonic() + timeout
    while (creates := sandbox.stats()["creates"]) == 0 and time.monotonic() < deadline:
        time.sleep(0.02)
    return creates, worker.cpu_seconds(), sandbox.cpu_seconds()


async def emr_push(stage: Stage) -> dict[str, Any]:
    """The configured worker (8 in flight) is the figure; the sweep adds a run with two pushes in
    flight (latency-bound: the worker's CPU is not what limits it) and one with 32."""
    headline = await push_all(stage, SIZES.emr_pushes, SIZES.emr_loops, SIZES.emr_batch_size)
    sweep = [await _point(stage, max(200, SIZES.emr_pushes // 5), *LIGHT), _keys(headline),
             await _point(stage, SIZES.emr_pushes, SIZES.emr_loops, SIZES.emr_wide_batch_size)]
    return {**headline.summary(), "sweep": sweep}


def _keys(result: EmrResult) -> dict[str, Any]:
    summary = result.summary()
    return {key: summary[key] for key in ("concurrency", "loops", "batch_size", "per_s", "bound_per_s", "ratio",
                                          "worker_cpu_ms_per_push", "sandbox_cpu_ms_per_create", "machine_busy")}


async def _point(stage: Stage, pushes: int, loops: int, batch_size: int) -> dict[str, Any]:
    """A sweep point; one that fails is noted in the sweep without losing the headline figure."""
    try:
        return _keys(await push_all(stage, pushes, loops, batch_size))
    except RuntimeError as error:
        return {"concurrency": loops * batch_size, "loops": loops, "batch_size": batch_size,
                "error": str(error)[:300]}
