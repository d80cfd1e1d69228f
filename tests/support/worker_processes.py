"""`vantrexia worker` processes a test starts against its own database and EMR, watches through their
JSON logs, kills when it wants, and always reaps (kill in `finally`)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import sys
import time
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from entrypoints.sandbox.serve import RunningSandbox
from entrypoints.sandbox.state import SANDBOX_CLIENT_ID
from tests.support.app import WEBHOOK_SECRET

# our own settings a developer's shell might carry; a test's worker gets only what the test says
_OWN_PREFIXES = ("VANTREXIA_", "ECW_", "MIOCONNECT_", "FCM_", "OTEL_", "AWS_")
_OWN_NAMES = ("DATABASE_URL", "LOG_LEVEL", "PORT", "HOST", "API_WORKERS")


def worker_environment(database_url: str, emr: RunningSandbox, key_file: Path,
                       **variables: str) -> dict[str, str]:
    """Environment of a worker using the real SMART/FHIR adapter (VANTREXIA_EMR=ecw, staging) against the
    sandbox: the same adapter VANTREXIA_EMR=sandbox uses, but pointed at a sandbox the test observes."""
    inherited = {k: v for k, v in os.environ.items() if not k.startswith(_OWN_PREFIXES) and k not in _OWN_NAMES}
    return {
        **inherited,
        "DATABASE_URL": database_url,
        "VANTREXIA_KEYSTORE": "file", "VANTREXIA_KEY_FILE": str(key_file),
        "MIOCONNECT_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "VANTREXIA_EMR": "ecw", "ECW_ENVIRONMENT": "staging", "ECW_CLIENT_ID": SANDBOX_CLIENT_ID,
        "ECW_FHIR_BASE_URL": emr.fhir_base_url, "ECW_TOKEN_URL": emr.token_url,
        "ECW_RATE_LIMIT_PER_MINUTE": "1000000",  # the sandbox has no quota; the tests measure us, not it
        "VANTREXIA_WORKER_POLL_SECONDS": "0.2",
        "LOG_LEVEL": "INFO",  # per-item events carry internal ids and statuses only
        **variables,
    }


@dataclass
class WorkerProcess:
    """One `python -m entrypoints.cli worker` process; its stdout and stderr go to `log_path`."""

    name: str
    process: asyncio.subprocess.Process
    log_path: Path
    _log_file: IO[bytes] = field(repr=False)

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def alive(self) -> bool:
        return self.process.returncode is None

    def events(self, event: str | None = None) -> list[dict[str, Any]]:
        """The structured log lines written so far (optionally only one event)."""
        found = []
        for line in self.log_path.read_text(errors="replace").splitlines():
            with contextlib.suppress(ValueError):
                record = json.loads(line)
                if isinstance(record, dict) and (event is None or record.get("event") == event):
                    found.append(record)
        return found

    def delivered_item_ids(self) -> list[str]:
        """Items this process delivered, from its one INFO line per relay batch."""
        return [str(i) for e in self.events("outbox_batch") for i in e.get("delivered_ids", ())]

    def log_tail(self, lines: int = 30) -> str:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return f"--- {self.name} (pid {self.pid}, exit {self.process.returncode}) ---\n" + "\n".join(
            text.splitlines()[-lines:])

    async def kill(self) -> int:
        """SIGKILL: no clean-up of any kind (the batch in hand stays leased)."""
        if self.alive:
            with contextlib.suppress(ProcessLookupError):
                self.process.send_signal(signal.SIGKILL)
        return await self._reaped()

    async def stop(self, grace_seconds: float = 20) -> int:
        """SIGTERM and wait for the graceful exit (SIGKILL after `grace_seconds`)."""
        if self.alive:
            with contextlib.suppress(ProcessLookupError):
                self.process.send_signal(signal.SIGTERM)
        try:
            return await asyncio.wait_for(self._reaped(), grace_seconds)
        except TimeoutError:
            return await self.kill()

    async def _reaped(self) -> int:
        code = await self.process.wait()
        self._log_file.close()
        return code


async def start_worker(env: Mapping[str, str], log_dir: Path, name: str, concurrency: int = 2) -> WorkerProcess:
    log_path = log_dir / f"{name}.log"
    log_file = log_path.open("wb")
    try:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "entrypoints.cli", "worker", "--concurrency", str(concurrency),
            env=dict(env), cwd=log_dir, stdin=asyncio.subprocess.DEVNULL, stdout=log_file, stderr=log_file,
        )
    except BaseException:
        log_file.close()
        raise
    return WorkerProcess(name, process, log_path, log_file)


@asynccontextmanager
async def worker_processes(env: Mapping[str, str], log_dir: Path, count: int = 1, concurrency: int = 2,
                           prefix: str = "worker") -> AsyncIterator[list[WorkerProcess]]:
    """`count` worker processes; whatever is still running when the block ends is killed and reaped."""
    started: list[WorkerProcess] = []
    try:
        for n in range(count):
            started.append(await start_worker(env, log_dir, f"{prefix}-{n + 1}", concurrency))
        yield started
    finally:
        for worker in started:
            await worker.kill()


async def wait_until_started(workers: list[WorkerProcess], within: float = 30) -> None:
    """Until every process has logged `worker_started` (its container and LISTEN connection are up)."""
    deadline = time.monotonic() + within
    while not all(w.events("worker_started") for w in workers):
        dead = [w for w in workers if not w.alive]
        if dead or time.monotonic() > deadline:
            tails = "\n".join(w.log_tail() for w in workers)
            raise AssertionError(f"worker processes did not start (dead: {[w.name for w in dead]})\n{tails}")
        await asyncio.sleep(0.05)
