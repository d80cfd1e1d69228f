"""`vantrexia keys rotate|promote`: promotion waits for the JWKS max-age plus the time running processes
take to see the pending key (VANTREXIA_KEY_REFRESH_SECONDS)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from adapters.keys.file_store import FileKeyStore
from entrypoints.cli.main import app

runner = CliRunner()


@pytest.fixture
def key_file(tmp_path: Path) -> Path:
    return tmp_path / "keystore.json"


def _env(key_file: Path, **variables: str) -> dict[str, str]:
    return {"VANTREXIA_KEY_FILE": str(key_file), "LOG_LEVEL": "WARNING", "VANTREXIA_KEY_REFRESH_SECONDS": "",
            **variables}


def _pending_published(key_file: Path, seconds_ago: int) -> str:
    when = datetime.now(UTC) - timedelta(seconds=seconds_ago)
    return asyncio.run(FileKeyStore(key_file).rotate(when)).kid


def test_rotate_names_the_wait_including_the_refresh_interval(key_file: Path) -> None:
    result = runner.invoke(app, ["keys", "rotate"], env=_env(key_file))
    assert result.exit_code == 0, result.output
    assert result.output.rstrip().endswith("promote after 3660 s")


def test_promote_waits_for_running_processes_to_have_published_the_pending_key(key_file: Path) -> None:
    _pending_published(key_file, seconds_ago=3600 + 30)  # past the max-age, not past max-age + 60 s
    refused = runner.invoke(app, ["keys", "promote"], env=_env(key_file))
    assert refused.exit_code == 2
    assert "published less than 3660 s ago" in refused.output
    promoted = runner.invoke(app, ["keys", "promote"], env=_env(key_file, VANTREXIA_KEY_REFRESH_SECONDS="10"))
    assert promoted.exit_code == 0, promoted.output


def test_a_refresh_interval_that_is_not_positive_stops_the_command(key_file: Path) -> None:
    result = runner.invoke(app, ["keys", "status"], env=_env(key_file, VANTREXIA_KEY_REFRESH_SECONDS="0"))
    assert result.exit_code == 2
    assert result.output.strip() == "error: VANTREXIA_KEY_REFRESH_SECONDS must be positive"
