"""Run the sandbox with uvicorn in a background thread (tests, in-process demo mode), HTTP or HTTPS."""

from __future__ import annotations

import ssl
import threading
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import uvicorn

from entrypoints.sandbox.app import (
    AUTHORIZE_PATH,
    FHIR_PATH,
    SMART_AUTHORIZE_PATH,
    SMART_FHIR_PATH,
    SMART_TOKEN_PATH,
    TOKEN_PATH,
    create_sandbox,
)
from entrypoints.sandbox.assertion import JwksProvider
from entrypoints.sandbox.state import SandboxState


@dataclass(frozen=True)
class SandboxPaths:
    """Where a sandbox serves FHIR and its authorization server."""

    fhir: str = FHIR_PATH
    token: str = TOKEN_PATH
    authorize: str = AUTHORIZE_PATH


ECW_LIKE = SandboxPaths()
SMART_MODE = SandboxPaths(SMART_FHIR_PATH, SMART_TOKEN_PATH, SMART_AUTHORIZE_PATH)  # discovery needed


@dataclass(frozen=True)
class RunningSandbox:
    """Where a started sandbox listens, and its state (what it holds and recorded)."""

    origin: str
    state: SandboxState
    fhir_path: str = FHIR_PATH
    paths: SandboxPaths = ECW_LIKE

    @property
    def fhir_base_url(self) -> str:
        return self.origin + self.fhir_path

    @property
    def token_url(self) -> str:
        return self.origin + self.paths.token

    @property
    def authorize_url(self) -> str:
        return self.origin + self.paths.authorize


@contextmanager
def serve_sandbox(
    jwks: str | JwksProvider, *, state: SandboxState | None = None, fhir_path: str | None = None,
    paths: SandboxPaths = ECW_LIKE, host: str = "127.0.0.1", port: int = 0,
    ssl_certfile: str | None = None, ssl_version: int | None = None, ssl_ciphers: str | None = None,
    startup_timeout: float = 10.0,
) -> Iterator[RunningSandbox]:
    """Serve until the block ends; port 0 picks a free port. `ssl_certfile` holds key and chain (PEM).
    `paths=SMART_MODE` serves a generic SMART server (no practice code; token URL only by discovery)."""
    sandbox = state if state is not None else SandboxState.seeded()
    fhir_path = fhir_path or paths.fhir
    options: dict[str, Any] = {}
    if ssl_certfile:
        options = {"ssl_certfile": ssl_certfile, "ssl_version": ssl_version or ssl.PROTOCOL_TLS_SERVER}
        if ssl_ciphers:
            options["ssl_ciphers"] = ssl_ciphers
    app = create_sandbox(jwks, state=sandbox, fhir_path=fhir_path, token_path=paths.token,
                         authorize_path=paths.authorize)
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", timeout_graceful_shutdown=2, **options)
    server = uvicorn.Server(config)
    with warnings.catch_warnings():  # a deliberately old ssl_version (TLS tests) warns at start-up
        warnings.simplefilter("ignore", DeprecationWarning)
        thread = threading.Thread(target=server.run, name="smart-sandbox", daemon=True)
        thread.start()
        deadline = time.monotonic() + startup_timeout
        while not server.started:
            if time.monotonic() > deadline or not thread.is_alive():
                raise RuntimeError("the SMART sandbox did not start")
            time.sleep(0.01)
    bound = server.servers[0].sockets[0].getsockname()[1]
    scheme = "https" if ssl_certfile else "http"
    try:
        yield RunningSandbox(f"{scheme}://{host}:{bound}", sandbox, fhir_path, paths)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
