"""Serve an app with uvicorn on a free loopback port in a background thread (real HTTP)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import uvicorn
from litestar import Litestar


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def live_server(app: Litestar, startup_timeout: float = 15.0, **options: Any) -> Iterator[str]:
    """Yields the base URL while the server runs; stops it (lifespan shutdown included) afterwards.
    `options` go to uvicorn.Config (e.g. proxy_headers=False, as `vantrexia serve` runs it)."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", **options))
    thread = threading.Thread(target=server.run, name=f"uvicorn-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + startup_timeout
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("test server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)


@contextmanager
def served_process(env: dict[str, str], startup_timeout: float = 30.0) -> Iterator[str]:
    """`vantrexia serve` as operators run it (a real process; `env` names its database, key file, PORT)."""
    base = f"http://127.0.0.1:{env['PORT']}"
    server = subprocess.Popen([sys.executable, "-m", "entrypoints.cli", "serve"], env={**os.environ, **env},
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + startup_timeout
        while time.monotonic() < deadline:
            try:
                httpx.get(f"{base}/health", timeout=1)
                break
            except httpx.TransportError:
                assert server.poll() is None, server.stderr.read().decode() if server.stderr else ""
                time.sleep(0.1)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)
