"""`python -m benchmarks` (`make bench`): every scenario in one run, then the table and the JSON.

Without wrk it stops at once (exit 2) and says how to install it. A scenario that fails is
reported as an error in its section; the others still run, and the process exits with 1.
Throwaway databases and child processes are removed on the way out.
"""

from __future__ import annotations

import asyncio
import os
import platform
import sys
import time
import traceback
from collections.abc import Awaitable, Callable
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console

from benchmarks import QUICK, SIZES
from benchmarks.batch import batch_ingest
from benchmarks.e2e import e2e
from benchmarks.emr import emr_push
from benchmarks.generator import MissingGenerator, flag_bounded, wrk_path, wrk_version
from benchmarks.growth import growth
from benchmarks.load_wrk import THREADS
from benchmarks.procs import wait_quiet
from benchmarks.report import publish
from benchmarks.stage import Stage, close_stage, open_stage
from benchmarks.webhook import Run, measure_ceiling, webhook_ingest

OUTPUT = Path(os.environ.get("BENCH_OUTPUT", "bench-results.json"))
ONLY = frozenset(name for name in os.environ.get("BENCH_ONLY", "").split(",") if name)  # empty: every scenario


async def _step(console: Console, results: dict[str, Any], name: str,
                work: Callable[[], Awaitable[dict[str, Any]]]) -> None:
    if ONLY and name not in ONLY:
        return
    started = time.monotonic()
    with console.status(f"{name}…"):
        busy_before = wait_quiet()  # other work on the machine skews every figure: note how much there was
        try:
            results[name] = {**await work(), "machine_busy_before": busy_before, "load_average": os.getloadavg()[0]}
        except Exception as error:  # noqa: BLE001 - one scenario's failure must not lose the others
            results[name] = {"error": f"{type(error).__name__}: {str(error)[:500]}"}
            console.print(f"[red]{name} failed[/]\n{traceback.format_exc(limit=6)}")
    console.print(f"{name}: {time.monotonic() - started:.0f}s (machine busy {busy_before:.0%} before it)")


def _webhook_sections(runs: dict[str, Run], results: dict[str, Any]) -> dict[str, Any]:
    """uvicorn (what `vantrexia serve` ships) is the headline; `server` compares it with granian."""
    summaries = {name: run.summary() for name, run in runs.items()}
    results["rss_mb"] = summaries["uvicorn"]["rss_mb"]
    winner = max(summaries, key=lambda name: summaries[name]["rps"])
    loser = min(summaries, key=lambda name: summaries[name]["rps"])
    results["server"] = {**summaries, "winner": winner,
                         "margin": round(summaries[winner]["rps"] / summaries[loser]["rps"] - 1, 3)}
    return {**summaries["uvicorn"], "server": "uvicorn"}


async def _ceiling(stage: Stage, version: str) -> dict[str, Any]:
    return {"tool": "wrk", "version": version, "threads": THREADS, **measure_ceiling(stage)}


async def main(console: Console) -> dict[str, Any]:
    results: dict[str, Any] = {}
    started, version = time.monotonic(), wrk_version()
    console.print(f"benchmark on PostgreSQL, {'quick' if QUICK else 'full'} sizes, load generator: {version}",
                  markup=False)
    stage = await open_stage()
    try:
        async def webhook() -> dict[str, Any]:
            return _webhook_sections(await webhook_ingest(stage), results)

        await _step(console, results, "generator", lambda: _ceiling(stage, version))
        await _step(console, results, "webhook_ingest", webhook)
        await _step(console, results, "batch_ingest", lambda: _summary(batch_ingest(stage)))
        await _step(console, results, "emr_push", lambda: emr_push(stage))
        await _step(console, results, "e2e", lambda: _summary(e2e(stage)))
        await _step(console, results, "e2e_200", lambda: _summary(
            e2e(stage, SIZES.e2e_200_rate, SIZES.e2e_200_seconds, name="e2e_200")))
    finally:
        await close_stage(stage)
    await _step(console, results, "growth", lambda: _summary(growth()))
    if ONLY:
        console.print(f"only {', '.join(sorted(ONLY))} (BENCH_ONLY): not a full run")
    results.setdefault("rss_mb", None)
    flag_bounded(results)
    results["meta"] = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"), "quick": QUICK, "sizes": asdict(SIZES),
        "loadgen": "wrk", "loadgen_version": version, "cpus": os.cpu_count(), "python": platform.python_version(),
        "seconds": round(time.monotonic() - started, 1),
    }
    return results


async def _summary(work: Awaitable[Any]) -> dict[str, Any]:
    summary: dict[str, Any] = (await work).summary()
    return summary


def run() -> int:
    try:
        wrk_path()
    except MissingGenerator as missing:
        print(missing, file=sys.stderr)
        return 2
    console = Console(width=None if sys.stdout.isatty() else 150)  # logs: no wrapping at 80 columns
    results = asyncio.run(main(console))
    publish(results, OUTPUT, console)
    return 1 if any(isinstance(v, dict) and "error" in v for v in results.values()) else 0


if __name__ == "__main__":
    sys.exit(run())
