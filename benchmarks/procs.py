"""Processes the benchmark starts (API, baseline, worker): command lines, readiness, RSS, CPU, stop."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from entrypoints.settings import VARIABLES

BIN = Path(sys.executable).parent
REPO = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"  # every server of the benchmark listens here only
SERVERS = ("uvicorn", "granian")
_TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def clean_env(**settings: str) -> dict[str, str]:
    """The caller's environment minus every app variable, plus `settings` and the repo on the path."""
    env = {k: v for k, v in os.environ.items() if k not in VARIABLES}
    return {**env, "PYTHONPATH": str(REPO), **settings}


def server_command(server: str, target: str, port: int) -> list[str]:
    """One process on 127.0.0.1 with uvloop (+ httptools for uvicorn); `target` is module:factory."""
    if server == "granian":
        return [str(BIN / "granian"), "--interface", "asgi", "--factory", "--host", HOST, "--port", str(port),
                "--workers", "1", "--loop", "uvloop", "--http", "1", "--no-access-log", "--log-level", "warning",
                target]
    if target == "entrypoints.http.asgi:create":  # the shipped command (uvicorn picks uvloop + httptools)
        return [str(BIN / "vantrexia"), "serve", "--host", HOST, "--port", str(port), "--workers", "1"]
    return [str(BIN / "python"), "-m", "uvicorn", "--factory", target, "--host", HOST, "--port", str(port),
            "--workers", "1", "--loop", "uvloop", "--http", "httptools", "--no-access-log", "--log-level", "warning"]


@dataclass
class Process:
    """A child process of the benchmark and its log file."""

    name: str
    popen: subprocess.Popen[bytes]
    log: Path
    port: int = 0

    def tree(self) -> list[int]:
        """This process and its descendants (granian serves from a child process)."""
        pids, frontier = [self.popen.pid], [self.popen.pid]
        while frontier:
            parent = frontier.pop()
            for task in Path(f"/proc/{parent}/task").glob("*/children"):
                with contextlib.suppress(OSError):
                    children = [int(c) for c in task.read_text().split()]
                    pids += children
                    frontier += children
        return pids

    def peak_rss_mb(self) -> float:
        """The largest VmHWM (peak resident set) of any process in the tree."""
        peaks = [0.0]
        for pid in self.tree():
            with contextlib.suppress(OSError):
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        peaks.append(int(line.split()[1]) / 1024)
        return max(peaks)

    def cpu_seconds(self) -> float:
        return sum(cpu_seconds_of(pid) for pid in self.tree())

    def stop(self, timeout: float = 20.0) -> None:
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(5)

    def tail(self, lines: int = 15) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


def cpu_seconds_of(pid: int) -> float:
    """User + system CPU seconds of one process so far (0 once it is gone)."""
    with contextlib.suppress(OSError):
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / _TICKS
    return 0.0


def launch(name: str, command: list[str], env: dict[str, str], workdir: Path, port: int = 0) -> Process:
    log = workdir / f"{name}.log"
    handle = log.open("wb")
    popen = subprocess.Popen(command, env=env, cwd=workdir, stdout=handle, stderr=subprocess.STDOUT)
    return Process(name, popen, log, port)


def wait_http(process: Process, path: str = "/health", timeout: float = 60.0) -> None:
    """Until GET `path` answers 200 (the app's lifespan has run); a dead process fails at once."""
    deadline = time.monotonic() + timeout
    request = f"GET {path} HTTP/1.1\r\nHost: {HOST}\r\nConnection: close\r\n\r\n".encode()
    while time.monotonic() < deadline:
        if process.popen.poll() is not None:
            raise RuntimeError(f"{process.name} exited:\n{process.tail()}")
        with contextlib.suppress(OSError), socket.create_connection((HOST, process.port), timeout=2) as s:
            s.sendall(request)
            if s.recv(64).split(b" ")[1:2] == [b"200"]:
                return
        time.sleep(0.1)
    raise RuntimeError(f"{process.name} not ready after {timeout:.0f}s:\n{process.tail()}")


def busy_jiffies() -> tuple[int, int]:
    """(busy, total) CPU time of the whole machine so far, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]  # idle and iowait
    return sum(values) - idle, sum(values)


def busy_share(since: tuple[int, int]) -> float:
    """The share of all CPUs busy (anyone's work) since `since` = busy_jiffies()."""
    busy, total = busy_jiffies()
    return (busy - since[0]) / max(total - since[1], 1)


def wait_quiet(max_seconds: float = 30.0, threshold: float = 0.3) -> float:
    """Wait (at most `max_seconds`) for a second in which the machine is mostly idle, since other
    work on it skews every figure; returns the busy share of the last second measured."""
    deadline = time.monotonic() + max_seconds
    while True:
        start = busy_jiffies()
        time.sleep(1.0)
        share = busy_share(start)
        if share <= threshold or time.monotonic() >= deadline:
            return round(share, 3)


def start_server(name: str, server: str, target: str, env: dict[str, str], workdir: Path) -> Process:
    port = free_port()
    process = launch(name, server_command(server, target, port), env, workdir, port)
    try:
        wait_http(process)
    except BaseException:
        process.stop()
        raise
    return process
