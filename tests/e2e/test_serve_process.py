"""`vantrexia serve` as operators run it: a real process on a loopback port, answering without a banner."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.app import WEBHOOK_SECRET
from tests.support.live import free_port

pytestmark = pytest.mark.slow


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'serve.db'}",
        "VANTREXIA_KEY_FILE": str(tmp_path / "keys" / "keystore.json"),
        "MIOCONNECT_WEBHOOK_SECRET": WEBHOOK_SECRET, "VANTREXIA_WORKER": "off", "LOG_LEVEL": "WARNING",
        "PORT": str(port), "VANTREXIA_DEMO": "false",
    }
    cli = [sys.executable, "-m", "entrypoints.cli"]
    subprocess.run([*cli, "migrate"], env=env, check=True, capture_output=True, timeout=60)
    server = subprocess.Popen([*cli, "serve"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
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


def test_served_answers_carry_no_server_banner_and_our_request_id(served: str) -> None:
    for path in ("/health", "/api/v1/no-such-area"):
        response = httpx.get(served + path, headers={"x-request-id": "client-trace-0001"}, timeout=5)
        assert "server" not in response.headers, path
        assert response.headers["x-request-id"] != "client-trace-0001"
        assert response.headers["x-content-type-options"] == "nosniff"
