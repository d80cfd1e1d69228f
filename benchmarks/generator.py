"""The load generator: wrk and nothing else, its cost and its ceiling.

Every throughput figure is measured with wrk (Debian package `wrk`); without it the benchmark
stops and says how to install it, since another generator would change what is measured. The
run also measures wrk against a constant endpoint (`trivial_app`) with the same settings: a
figure within CEILING_MARGIN of that ceiling is flagged as bounded by the generator, not the app.
"""

from __future__ import annotations

import shutil
import subprocess
from typing import Any

CEILING_MARGIN = 0.20
INSTALL_HINT = ("wrk not found on PATH: `make bench` measures every throughput with wrk and with no other "
                "load generator. Install it (Debian/Ubuntu: `sudo apt-get install wrk`) and run it again.")
# (section, its req/s key, the flag written beside it); "a.b" is section b inside section a
MEASUREMENTS = (
    ("webhook_ingest", "rps", "bounded_by_generator"),
    ("webhook_ingest", "baseline_rps", "baseline_bounded_by_generator"),
    ("server.uvicorn", "rps", "bounded_by_generator"),
    ("server.uvicorn", "baseline_rps", "baseline_bounded_by_generator"),
    ("server.granian", "rps", "bounded_by_generator"),
    ("server.granian", "baseline_rps", "baseline_bounded_by_generator"),
    ("growth", "rate_10k", "bounded_by_generator_10k"),
    ("growth", "rate_1m", "bounded_by_generator_1m"),
)


class MissingGenerator(RuntimeError):
    """wrk is not installed."""


def wrk_path() -> str:
    """Where wrk is; MissingGenerator (saying how to install it) when it is not on PATH."""
    found = shutil.which("wrk")
    if found is None:
        raise MissingGenerator(INSTALL_HINT)
    return found


def wrk_version() -> str:
    """`wrk -v`'s first line, e.g. "wrk debian/4.1.0-3+b2 [epoll] ..." (wrk exits 1 after it)."""
    run = subprocess.run([wrk_path(), "-v"], capture_output=True, text=True, timeout=10, check=False)
    return (run.stdout or run.stderr).split(" Copyright", 1)[0].strip()


def bounded_by_generator(rps: float, ceiling_rps: float) -> bool:
    """True when `rps` is within CEILING_MARGIN of what wrk reached against the constant endpoint."""
    return rps >= (1 - CEILING_MARGIN) * ceiling_rps


def _section(results: dict[str, Any], path: str) -> dict[str, Any] | None:
    value: Any = results
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value if isinstance(value, dict) else None


def flag_bounded(results: dict[str, Any]) -> list[str]:
    """Write each measurement's flag beside it (null when the ceiling is unknown) and list the
    flagged ones, as `section.key`, in results["generator"]["bounded"]."""
    generator = results.get("generator")
    ceiling = generator.get("ceiling_rps") if isinstance(generator, dict) else None
    if not isinstance(ceiling, int | float) or ceiling <= 0:
        ceiling = None
    flagged = []
    for path, key, flag in MEASUREMENTS:
        section = _section(results, path)
        if section is None or not isinstance(section.get(key), int | float):
            continue
        section[flag] = None if ceiling is None else bounded_by_generator(section[key], ceiling)
        if section[flag]:
            flagged.append(f"{path}.{key}")
    if isinstance(generator, dict):
        generator["bounded"] = flagged
    return flagged
