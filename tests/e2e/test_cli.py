"""The `vantrexia` command line against a real SQLite database: migrate, users create, errors."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from typer.testing import CliRunner

from adapters.sql.engine import create_engine
from adapters.sql.unit_of_work import SqlAlchemyUnitOfWork
from entrypoints.cli.main import app

runner = CliRunner()


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}",
        "VANTREXIA_KEY_FILE": str(tmp_path / "keys" / "keystore.json"),
        "LOG_LEVEL": "WARNING",
    }


async def _stored_user(database_url: str, username: str) -> tuple[str, str] | None:
    engine = create_engine(database_url)
    try:
        async with SqlAlchemyUnitOfWork(engine) as uow:
            user = await uow.users.by_username(username)
        return (user.role.value, user.password_hash) if user else None
    finally:
        await engine.dispose()


def test_migrate_then_create_a_user_from_stdin(env: dict[str, str]) -> None:
    migrated = runner.invoke(app, ["migrate"], env=env)
    assert migrated.exit_code == 0, migrated.output
    created = runner.invoke(
        app, ["users", "create", "--username", "dr-okafor", "--role", "clinician", "--password-stdin"],
        input="a-long-enough-password\n", env=env,
    )
    assert created.exit_code == 0, created.output
    assert "created clinician dr-okafor" in created.output
    role, password_hash = asyncio.run(_stored_user(env["DATABASE_URL"], "dr-okafor")) or ("", "")
    assert role == "clinician"
    assert password_hash.startswith("$argon2id$")
    assert "a-long-enough-password" not in password_hash


def test_errors_are_one_line_with_exit_code_2(env: dict[str, str]) -> None:
    runner.invoke(app, ["migrate"], env=env)
    short = runner.invoke(
        app, ["users", "create", "--username", "dr-x", "--role", "admin", "--password-stdin"],
        input="short\n", env=env,
    )
    assert short.exit_code == 2
    assert short.output.strip().splitlines() == ["error: password must be at least 12 characters"]
    bad_setting = runner.invoke(app, ["migrate"], env={**env, "PORT": "eighty"})
    assert bad_setting.exit_code == 2
    assert "invalid PORT" in bad_setting.output


def test_a_taken_username_is_refused(env: dict[str, str]) -> None:
    runner.invoke(app, ["migrate"], env=env)
    args = ["users", "create", "--username", "dr-okafor", "--role", "admin", "--password-stdin"]
    assert runner.invoke(app, args, input="a-long-enough-password\n", env=env).exit_code == 0
    again = runner.invoke(app, args, input="another-long-password\n", env=env)
    assert again.exit_code == 2
    assert "taken" in again.output
