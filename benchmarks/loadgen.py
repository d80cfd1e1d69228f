"""Replay pre-signed requests against 127.0.0.1 with wrk (the only load generator: see generator.py)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

MAX_CYCLED = 1_000_000  # a cycling replay stops after this many requests, whatever the time


@dataclass(frozen=True)
class LoadResult:
    """What one bounded replay measured, and what wrk itself cost (CPU seconds over its wall time)."""

    tool: str
    requests: int
    seconds: float  # wrk's own measuring time
    p50_ms: float
    p99_ms: float
    errors: int
    exhausted: bool  # the pre-signed requests ran out before the time did (rps is then a floor)
    loadgen_cpu_seconds: float  # the wrk process's user + system time (its rusage when reaped)
    wall_seconds: float = 0.0  # the wrk process's life, start-up included

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def loadgen_cpu_share(self) -> float:
        """wrk's share of all CPUs of the machine (kept for comparison with earlier runs)."""
        return self.loadgen_cpu_seconds / (self.seconds * (os.cpu_count() or 1)) if self.seconds else 0.0

    def together(self, other: LoadResult) -> LoadResult:
        """Two replays as one: their requests over their seconds; the worse of their latencies."""
        return LoadResult(self.tool, self.requests + other.requests, self.seconds + other.seconds,
                          max(self.p50_ms, other.p50_ms), max(self.p99_ms, other.p99_ms), self.errors + other.errors,
                          self.exhausted or other.exhausted, self.loadgen_cpu_seconds + other.loadgen_cpu_seconds,
                          self.wall_seconds + other.wall_seconds)

    @property
    def generator_cpu_share(self) -> float:
        """wrk's CPU time over its wall time: 1.0 is one core kept busy by the generator."""
        return self.loadgen_cpu_seconds / self.wall_seconds if self.wall_seconds else 0.0


def replay(port: int, requests: list[bytes], *, seconds: float, connections: int, workdir: Path,
           cycle: bool = False) -> LoadResult:
    """Send `requests` in order over keep-alive connections for at most `seconds`.

    Without `cycle` each request goes out at most once (unique webhook ids), so the replay also
    stops when they run out; with `cycle` it starts over (for endpoints that do not de-duplicate),
    up to MAX_CYCLED requests.
    """
    from benchmarks.load_wrk import run_wrk

    return run_wrk(port, requests, seconds=seconds, connections=connections, workdir=workdir, cycle=cycle)


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile (share in 0..1) of unsorted values; 0 for none."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]
