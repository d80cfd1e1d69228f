"""`vantrexia users unlock`: an administrator lifts login locks from the command line; it is audited."""

from __future__ import annotations

from pathlib import Path

from litestar.testing import TestClient
from typer.testing import CliRunner

from adapters.sql.audit import SqlAuditLog
from adapters.sql.engine import create_engine
from domain.audit import AuditQuery, StoredAuditEntry
from entrypoints.cli.main import app as cli
from tests.conftest import run_async
from tests.support.app import build_app, settings_for_tests
from tests.support.world import World

runner = CliRunner()
TOKEN = "/api/v1/auth/token"
PASSWORD = "dr-locked-correct-horse"


async def _audited(database_url: str, action: str) -> list[StoredAuditEntry]:
    engine = create_engine(database_url)
    try:
        found, _ = await SqlAuditLog(engine).search(AuditQuery(action=action))
        return list(found)
    finally:
        await engine.dispose()


def test_unlock_lifts_a_lock_and_both_are_audited(tmp_path: Path) -> None:
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    env = {"DATABASE_URL": database_url, "VANTREXIA_KEY_FILE": str(tmp_path / "keys.json"), "LOG_LEVEL": "WARNING"}
    assert runner.invoke(cli, ["migrate"], env=env).exit_code == 0
    created = runner.invoke(cli, ["users", "create", "--username", "dr-locked", "--role", "admin", "--password-stdin"],
                            input=f"{PASSWORD}\n", env=env)
    assert created.exit_code == 0, created.output
    good = {"username": "dr-locked", "password": PASSWORD}
    with TestClient(app=build_app(World(), settings_for_tests(database_url=database_url), fake_database=False)) as api:
        for _ in range(5):
            assert api.post(TOKEN, json={**good, "password": "wrong-password"}).status_code == 401
        assert api.post(TOKEN, json=good).status_code == 429

        unlocked = runner.invoke(cli, ["users", "unlock", "--username", "dr-locked", "--address", "testclient"],
                                 env=env)
        assert unlocked.exit_code == 0, unlocked.output
        assert "5 counted failed login(s)" in unlocked.output
        assert api.post(TOKEN, json=good).status_code == 200

    [lock] = run_async(lambda: _audited(database_url, "auth.lock"))
    [unlock] = run_async(lambda: _audited(database_url, "auth.unlock"))
    assert lock.entry.resource_ids == unlock.entry.resource_ids != ()
    assert (unlock.entry.actor, unlock.entry.details) == ("service:cli", {"address": "testclient", "cleared": "5"})


def test_unlock_needs_a_username_or_an_address(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}",
           "VANTREXIA_KEY_FILE": str(tmp_path / "keys.json"), "LOG_LEVEL": "WARNING"}
    runner.invoke(cli, ["migrate"], env=env)
    result = runner.invoke(cli, ["users", "unlock"], env=env)
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == ["error: name a username, an address or both"]
