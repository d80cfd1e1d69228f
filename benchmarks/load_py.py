"""The fallback load generator (no wrk): processes of raw keep-alive HTTP/1.1 connections.

Each process replays its slice of the pre-signed requests, one at a time per connection, and
reports latencies and its own CPU time, so the report can say how much of the machine it took.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
import time
from typing import Any

from benchmarks.loadgen import MAX_CYCLED, LoadResult, percentile
from benchmarks.procs import HOST


def _processes(connections: int) -> int:
    return max(1, min(connections, (os.cpu_count() or 1) // 2 or 1, 4))


async def _replay(port: int, requests: list[bytes], connections: int, seconds: float,
                  limit: int) -> tuple[list[float], int]:
    latencies: list[float] = []
    errors = position = taken = 0
    deadline = time.perf_counter() + seconds

    def take() -> bytes | None:
        nonlocal position, taken
        if taken >= limit or not requests:
            return None
        taken += 1
        position = position % len(requests) + 1
        return requests[position - 1]

    async def connection() -> None:
        nonlocal errors
        reader, writer = await asyncio.open_connection(HOST, port)
        try:
            while time.perf_counter() < deadline and (request := take()) is not None:
                started = time.perf_counter()
                writer.write(request)
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n")[1:]:
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value)
                await reader.readexactly(length)
                latencies.append(time.perf_counter() - started)
                if head[9:10] not in (b"2", b"3"):
                    errors += 1
        finally:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()

    await asyncio.gather(*(connection() for _ in range(connections)))
    return latencies, errors


def _child(port: int, requests: list[bytes], connections: int, seconds: float, limit: int) -> dict[str, Any]:
    with contextlib.suppress(ImportError):
        import uvloop

        uvloop.install()
    cpu, wall = time.process_time(), time.perf_counter()
    latencies, errors = asyncio.run(_replay(port, requests, connections, seconds, limit))
    return {"latencies": latencies, "errors": errors, "cpu": time.process_time() - cpu,
            "wall": time.perf_counter() - wall}


def run_python(port: int, requests: list[bytes], *, seconds: float, connections: int, cycle: bool) -> LoadResult:
    count = _processes(connections)
    shares = [connections // count + (1 if i < connections % count else 0) for i in range(count)]
    context = multiprocessing.get_context("spawn")
    with context.Pool(count) as pool:
        slices = [requests[i::count] for i in range(count)]
        limits = [MAX_CYCLED // count if cycle else len(part) for part in slices]
        jobs = [pool.apply_async(_child, (port, slices[i], shares[i], seconds, limits[i])) for i in range(count)]
        results = [job.get(timeout=seconds + 60) for job in jobs]
    latencies = [value for result in results for value in result["latencies"]]
    return LoadResult(
        tool="python", requests=len(latencies), seconds=max(result["wall"] for result in results),
        p50_ms=percentile(latencies, 0.50) * 1000, p99_ms=percentile(latencies, 0.99) * 1000,
        errors=sum(result["errors"] for result in results),
        exhausted=len(latencies) >= sum(limits),
        loadgen_cpu_seconds=sum(result["cpu"] for result in results),
    )
