"""Replay pre-signed requests against 127.0.0.1: wrk when installed, else the Python generator."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

MAX_CYCLED = 1_000_000  # a cycling replay stops after this many requests, whatever the time


@dataclass(frozen=True)
class LoadResult:
    """What one bounded replay measured; `loadgen_cpu_share` is the generator's share of all CPUs."""

    tool: str
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int
    exhausted: bool  # the pre-signed requests ran out before the time did (rps is then a floor)
    loadgen_cpu_seconds: float

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def loadgen_cpu_share(self) -> float:
        return self.loadgen_cpu_seconds / (self.seconds * (os.cpu_count() or 1)) if self.seconds else 0.0


def tool() -> str:
    forced = os.environ.get("BENCH_LOADGEN", "")
    if forced not in ("", "wrk", "python"):
        raise ValueError("BENCH_LOADGEN must be wrk or python")
    return forced or ("wrk" if shutil.which("wrk") else "python")


def replay(port: int, requests: list[bytes], *, seconds: float, connections: int, workdir: Path,
           cycle: bool = False) -> LoadResult:
    """Send `requests` in order over keep-alive connections for at most `seconds`.

    Without `cycle` each request goes out at most once (unique webhook ids), so the replay also
    stops when they run out; with `cycle` it starts over (for endpoints that do not de-duplicate),
    up to MAX_CYCLED requests.
    """
    if tool() == "wrk":
        from benchmarks.load_wrk import run_wrk

        return run_wrk(port, requests, seconds=seconds, connections=connections, workdir=workdir, cycle=cycle)
    from benchmarks.load_py import run_python

    return run_python(port, requests, seconds=seconds, connections=connections, cycle=cycle)


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile (share in 0..1) of unsorted values; 0 for none."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]
