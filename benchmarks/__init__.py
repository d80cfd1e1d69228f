"""`make bench`: throughput and latency figures of the integration service on PostgreSQL.

Every figure is measured beside a baseline taken in the same run (a bare Litestar + asyncpg
endpoint, a raw COPY, the EMR's latency bound, ...), so the ratios stay meaningful on any
machine. `python -m benchmarks` prints a table and writes `bench-results.json`. The load
generator is wrk, required (see generator.py).

Environment: BENCH_QUICK=1 shrinks every size; BENCH_<SIZE> overrides one (BENCH_EMR_BATCH_SIZE=8);
BENCH_PG names the server's maintenance database (default postgresql://postgres@127.0.0.1:5432/postgres);
BENCH_OUTPUT names the JSON file; BENCH_ONLY=emr_push,e2e_200 runs only the named scenarios
(a partial table, while working on one); BENCH_PROFILE=<dir> (e.g. bench-profiles) writes py-spy flame graphs of the
API and worker processes while they are measured.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace

from entrypoints.settings import WORKER_BATCH_SIZE

QUICK = os.environ.get("BENCH_QUICK", "") not in ("", "0", "false")


@dataclass(frozen=True)
class Sizes:
    """How long and how big each scenario is (BENCH_QUICK=1 picks the small set)."""

    patients: int = 300  # one blood-pressure cuff each
    connections: int = 16  # concurrent keep-alive connections of the load generator
    warmup_seconds: float = 3.0
    webhook_seconds: float = 12.0
    batch_readings: int = 20_000  # five groups of 1,000 or fewer would measure mostly start-up
    emr_pushes: int = 2_000  # Observations (a blood-pressure reading yields two)
    emr_loops: int = 2  # `vantrexia worker --concurrency`: loops in the worker process
    emr_batch_size: int = 4  # VANTREXIA_WORKER_BATCH_SIZE: a batch's pushes are sent concurrently
    emr_wide_batch_size: int = 16  # the sweep's wide point: emr_loops x this = 32 in flight
    emr_latency_seconds: float = 0.05  # every sandbox answer takes this long
    e2e_rate: float = 50.0  # readings per second
    e2e_loops: int = 1  # the end-to-end run's worker: `vantrexia worker` as shipped (1 loop,
    e2e_batch_size: int = WORKER_BATCH_SIZE  # and its default VANTREXIA_WORKER_BATCH_SIZE)
    e2e_seconds: float = 20.0
    e2e_200_rate: float = 200.0  # the second end-to-end run: readings per second, same worker
    e2e_200_seconds: float = 60.0
    growth_small: int = 10_000
    growth_large: int = 1_000_000
    growth_seconds: float = 8.0


FULL = Sizes()
SMALL = Sizes(
    patients=100, warmup_seconds=2.0, webhook_seconds=5.0, batch_readings=800, emr_pushes=1_200,
    e2e_seconds=8.0, e2e_200_seconds=10.0, growth_large=100_000, growth_seconds=4.0,
)


def _overridden(sizes: Sizes) -> Sizes:
    changes = {f.name: type(getattr(sizes, f.name))(os.environ[f"BENCH_{f.name.upper()}"])
               for f in fields(sizes) if os.environ.get(f"BENCH_{f.name.upper()}")}
    return replace(sizes, **changes)


SIZES = _overridden(SMALL if QUICK else FULL)
