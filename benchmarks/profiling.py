"""Optional py-spy profiles of the processes under test: BENCH_PROFILE=<directory> writes one
flame graph (SVG) per measured phase, e.g. `webhook-api-uvicorn.svg`, `emr-worker.svg`;
BENCH_PROFILE_FORMAT=raw writes collapsed stacks (`.txt`, one line per stack and its sample count)
instead, which text tools can sum.

py-spy samples the running process from outside (no change to what is measured beyond the
sampling itself); it needs ptrace rights over the children, which their parent has as root.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

from benchmarks.procs import BIN, Process

RATE = 100  # samples per second: enough for a flame graph, little overhead


def _spy() -> str | None:
    return shutil.which("py-spy") or (str(BIN / "py-spy") if (BIN / "py-spy").exists() else None)


@contextlib.contextmanager
def profiled(process: Process, name: str) -> Iterator[None]:
    """Record `process` (granian: its serving child) while the block runs, if BENCH_PROFILE is set."""
    directory, spy = os.environ.get("BENCH_PROFILE"), _spy()
    if not directory or spy is None:
        yield
        return
    Path(directory).mkdir(parents=True, exist_ok=True)
    target = process.tree()[-1]
    raw = os.environ.get("BENCH_PROFILE_FORMAT", "flamegraph") == "raw"
    output = Path(directory) / f"{name}.{'txt' if raw else 'svg'}"
    command = [spy, "record", "--pid", str(target), "--rate", str(RATE), "--nonblocking", "--output", str(output),
               "--format", "raw" if raw else "flamegraph"]
    recorder = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        yield
    finally:
        recorder.send_signal(signal.SIGINT)  # py-spy writes its output on Ctrl-C
        try:
            recorder.wait(30)
        except subprocess.TimeoutExpired:
            recorder.kill()
