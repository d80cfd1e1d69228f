"""The SMART/FHIR sandbox in a process of its own, with an injected latency, recording when each
Observation was created (the EMR's 201) so end-to-end latency can be read off its clock."""

from __future__ import annotations

import multiprocessing
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from adapters.keys.file_store import FileKeyStore
from benchmarks.procs import cpu_seconds_of
from entrypoints.sandbox.app import FHIR_PATH, TOKEN_PATH
from entrypoints.sandbox.serve import serve_sandbox
from entrypoints.sandbox.state import SANDBOX_CLIENT_ID, SandboxState


@dataclass
class RecordingState(SandboxState):
    """Notes (identifier, time) of every create, and looks identifiers up in a dict instead of a
    scan over every stored Observation (which would make the sandbox, not the app, the bottleneck)."""

    receipts: list[tuple[str, float]] = field(default_factory=list)
    by_value: dict[str, list[str]] = field(default_factory=dict)

    def add_observation(self, resource: dict[str, Any]) -> dict[str, Any]:
        stored = super().add_observation(resource)
        now = time.time()
        for identifier in stored.get("identifier", []):
            value = str(identifier.get("value", ""))
            self.by_value.setdefault(value, []).append(stored["id"])
            self.receipts.append((value, now))
        return stored

    def observations_with(self, system: str | None, value: str) -> list[dict[str, Any]]:
        found = (self.observations[i] for i in self.by_value.get(value, ()))
        return [o for o in found if any(i.get("value") == value and (system is None or i.get("system") == system)
                                        for i in o.get("identifier", []))]

    def clear(self) -> None:
        for records in (self.receipts, self.requests, self.received_observations):
            records.clear()
        self.observations.clear()
        self.by_value.clear()
        self.creates_per_identifier.clear()
        self.token_requests = self.observation_posts = 0


def _serve(connection: Connection, key_file: str, latency: float, patients: int) -> None:
    state = RecordingState.seeded(patients, latency_seconds=latency)
    assert isinstance(state, RecordingState)  # seeded() builds the subclass it is called on
    with serve_sandbox(FileKeyStore(Path(key_file)).public_jwks, state=state) as sandbox:
        connection.send(sandbox.origin)
        while (command := connection.recv()) != "stop":
            if command == "clear":
                state.clear()
                connection.send(True)
            else:
                connection.send({"token_requests": state.token_requests, "posts": state.observation_posts,
                                 "creates": state.observation_creates,
                                 "receipts": list(state.receipts) if command == "receipts" else []})
    connection.send(True)


class SandboxProcess:
    """`with SandboxProcess(...) as sandbox:` serves on 127.0.0.1; `ecw_env()` points the app at it."""

    def __init__(self, key_file: str, latency: float, patients: int) -> None:
        context = multiprocessing.get_context("spawn")
        self._connection, child = context.Pipe()
        self._process = context.Process(target=_serve, args=(child, key_file, latency, patients),
                                        name="bench-sandbox", daemon=True)
        self.origin = ""

    def __enter__(self) -> SandboxProcess:
        self._process.start()
        if not self._connection.poll(60):
            raise RuntimeError("the sandbox did not start")
        self.origin = self._connection.recv()
        return self

    def __exit__(self, *_: object) -> None:
        self._connection.send("stop")
        self._connection.poll(10)
        self._process.join(10)
        if self._process.is_alive():
            self._process.terminate()

    def cpu_seconds(self) -> float:
        """The sandbox process's CPU so far: it shares the machine with the app it answers."""
        return cpu_seconds_of(self._process.pid) if self._process.pid is not None else 0.0

    def stats(self, receipts: bool = False) -> dict[str, Any]:
        self._connection.send("receipts" if receipts else "stats")
        return self._connection.recv()  # type: ignore[no-any-return]

    def clear(self) -> None:
        self._connection.send("clear")
        self._connection.recv()

    def wait_creates(self, count: int, timeout: float) -> dict[str, Any]:
        """Stats once `count` Observations were created (or the timeout passed)."""
        deadline = time.monotonic() + timeout
        while self.stats()["creates"] < count and time.monotonic() < deadline:
            time.sleep(0.1)
        return self.stats(receipts=True)

    def ecw_env(self) -> dict[str, str]:
        """The app's ECW_* settings for this server: the SMART/FHIR adapter over HTTP to 127.0.0.1."""
        return {"VANTREXIA_EMR": "ecw", "ECW_ENVIRONMENT": "staging", "ECW_CLIENT_ID": SANDBOX_CLIENT_ID,
                "ECW_FHIR_BASE_URL": self.origin + FHIR_PATH, "ECW_TOKEN_URL": self.origin + TOKEN_PATH,
                "ECW_RATE_LIMIT_PER_MINUTE": "6000000"}  # the sandbox has no eCW quota to respect
