"""`vantrexia serve` as operators run it: a real process on a loopback port, answering without a banner."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.support.app import WEBHOOK_SECRET
from tests.support.live import free_port, served_process

pytestmark = pytest.mark.slow


def test_served_answers_carry_no_server_banner_and_our_request_id(tmp_path: Path) -> None:
    env = {
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'serve.db'}",
        "VANTREXIA_KEY_FILE": str(tmp_path / "keys" / "keystore.json"),
        "MIOCONNECT_WEBHOOK_SECRET": WEBHOOK_SECRET, "VANTREXIA_WORKER": "off", "LOG_LEVEL": "WARNING",
        "PORT": str(free_port()), "VANTREXIA_DEMO": "false",
    }
    subprocess.run([sys.executable, "-m", "entrypoints.cli", "migrate"], env={**os.environ, **env}, check=True,
                   capture_output=True, timeout=60)
    with served_process(env) as served:
        for path in ("/health", "/api/v1/no-such-area"):
            response = httpx.get(served + path, headers={"x-request-id": "client-trace-0001"}, timeout=5)
            assert "server" not in response.headers, path
            assert response.headers["x-request-id"] != "client-trace-0001"
            assert response.headers["x-content-type-options"] == "nosniff"
