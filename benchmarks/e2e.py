"""End to end: signed webhook → API process → outbox → `vantrexia worker` → SMART/FHIR sandbox 201,
at a steady rate; latency is the sandbox's receipt time minus the send time (one machine clock)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import msgspec

from benchmarks import SIZES
from benchmarks.emr import sandbox_for, seal_audit, start_worker
from benchmarks.loadgen import percentile
from benchmarks.pg import park_pending_outbox
from benchmarks.procs import busy_jiffies, busy_share, start_server, wait_quiet
from benchmarks.profiling import profiled
from benchmarks.seed import raw_requests
from benchmarks.stage import Stage
from benchmarks.steady import SteadySender, at_steady_rate
from benchmarks.webhook import APP

UUID_LENGTH = 36  # an Observation identifier is "<reading id>-<LOINC code>"
WARMUP_READINGS = 10


@dataclass
class Sent:
    """Reading id → wall-clock send time, the webhook's answer times, failed sends, and the sender's
    own CPU seconds over its wall seconds (the benchmark process is the load generator here)."""

    at: dict[str, float] = field(default_factory=dict)
    answer_ms: list[float] = field(default_factory=list)
    errors: int = 0
    cpu_share: float = 0.0


@dataclass(frozen=True)
class E2eResult:
    latencies_ms: list[float]
    sent: Sent
    expected: int
    cpu: dict[str, float]  # ms per reading of the API and the worker, per create of the sandbox; machine busy
    rate: float

    def summary(self) -> dict[str, Any]:
        return {"p50_ms": round(percentile(self.latencies_ms, 0.50), 1),
                "p95_ms": round(percentile(self.latencies_ms, 0.95), 1),
                "max_ms": round(max(self.latencies_ms, default=0.0), 1),
                "readings": len(self.sent.at), "observations": len(self.latencies_ms),
                "missing": self.expected - len(self.latencies_ms), "send_errors": self.sent.errors,
                "rate_per_s": self.rate, "sender_cpu_share": round(self.sent.cpu_share, 3),
                "worker_loops": SIZES.e2e_loops,
                "worker_batch_size": SIZES.e2e_batch_size,
                "webhook_p50_ms": round(percentile(self.sent.answer_ms, 0.50), 1), **self.cpu}


async def send_steady(sender: SteadySender, stage: Stage, port: int, rate: float, count: int) -> Sent:
    """Open loop: reading i leaves at start + i/rate, whatever came back before (signed beforehand)."""
    sent = Sent()
    requests = raw_requests(stage.secret, stage.source.bodies(count), port)

    async def one(i: int) -> None:
        started, clock = time.time(), time.perf_counter()
        try:
            answer = await sender.post(requests[i])
        except (ConnectionError, OSError):
            sent.errors += 1
            return
        sent.answer_ms.append((time.perf_counter() - clock) * 1000)
        reading_id = msgspec.json.decode(answer.body).get("reading_id") if answer.status == 202 else None
        if reading_id:
            sent.at[reading_id] = started
        else:
            sent.errors += 1

    sent.cpu_share = await at_steady_rate(count, rate, one)
    return sent


async def e2e(stage: Stage, rate: float = SIZES.e2e_rate, seconds: float = SIZES.e2e_seconds,
              name: str = "e2e") -> E2eResult:
    """`rate` readings per second for `seconds`, after a few to warm up (EMR token, pools)."""
    await park_pending_outbox(stage.database)
    await seal_audit(stage)
    count = int(rate * seconds)
    with sandbox_for(stage) as sandbox:
        api = start_server("api-e2e", "uvicorn", APP, stage.app_env(), stage.workdir)
        worker = start_worker(stage, sandbox, SIZES.e2e_loops, SIZES.e2e_batch_size)
        try:
            sender = SteadySender(api.port)
            try:
                warm = await send_steady(sender, stage, api.port, rate, WARMUP_READINGS)  # token, pools
                sandbox.wait_creates(2 * len(warm.at), timeout=60)
                sandbox.clear()
                wait_quiet()
                cpu, machine = (api.cpu_seconds(), worker.cpu_seconds(), sandbox.cpu_seconds()), busy_jiffies()
                with profiled(worker, f"{name}-worker"), profiled(api, f"{name}-api"):
                    sent = await send_steady(sender, stage, api.port, rate, count)
            finally:
                sender.close()
            stats = sandbox.wait_creates(2 * len(sent.at), timeout=30 + seconds / 2)
            usage = {"api_cpu_ms_per_reading": round((api.cpu_seconds() - cpu[0]) * 1000 / count, 2),
                     "worker_cpu_ms_per_reading": round((worker.cpu_seconds() - cpu[1]) * 1000 / count, 2),
                     "sandbox_cpu_ms_per_create": round((sandbox.cpu_seconds() - cpu[2]) * 1000
                                                        / max(stats["creates"], 1), 2),
                     "machine_busy": round(busy_share(machine), 3)}
        finally:
            worker.stop()
            api.stop()
    latencies = [(at - sent.at[value[:UUID_LENGTH]]) * 1000 for value, at in stats["receipts"]
                 if value[:UUID_LENGTH] in sent.at]
    return E2eResult(latencies, sent, 2 * count, usage, rate)
