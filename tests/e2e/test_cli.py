"""The `vantrexia` command line against a real SQLite database: migrate, users create, errors."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from adapters.fakes.clock import FixedClock
from adapters.sql.engine import create_engine
from adapters.sql.unit_of_work import SqlAlchemyUnitOfWork
from entrypoints.cli.main import app
from tests.support.app import WEBHOOK_SECRET, build_app, fixture
from tests.support.gateway_standin import API_KEY, GatewayState, gateway_standin
from tests.support.live import live_server
from tests.support.world import World

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


def test_sync_devices_pulls_from_the_device_cloud_with_a_summary(env: dict[str, str]) -> None:
    state = GatewayState(messages=[{"id": "m1", "message": fixture("bp_normal")},
                                   {"id": "m2", "message": fixture("pulseox_sentinel")}])
    runner.invoke(app, ["migrate"], env=env)
    with live_server(gateway_standin(state)) as url:
        gateway_env = {**env, "VANTREXIA_DEVICE_GATEWAY": "mioconnect", "MIOCONNECT_API_URL": url,
                       "MIOCONNECT_API_KEY": API_KEY}
        first = runner.invoke(app, ["sync", "devices"], env=gateway_env)
        again = runner.invoke(app, ["sync", "devices"], env=gateway_env)
    assert first.exit_code == 0, first.output
    assert _row(first.output, "quarantined") == "1"
    assert _row(first.output, "discarded") == "1"
    assert _row(again.output, "duplicate") == "2"
    assert all(query.get("limit") for _, query in state.requests)


def test_sync_devices_without_the_gateway_settings_is_a_clear_error(env: dict[str, str]) -> None:
    result = runner.invoke(app, ["sync", "devices"], env={**env, "VANTREXIA_DEVICE_GATEWAY": "mioconnect"})
    assert result.exit_code == 2
    assert "MIOCONNECT_API_URL is required" in result.output


def _row(output: str, outcome: str) -> str:
    line = next(line for line in output.splitlines() if f" {outcome} " in line)
    return line.split("│")[2].strip()


def test_simulate_sends_signed_deliveries_and_summarises_the_answers(env: dict[str, str]) -> None:
    world = World(clock=FixedClock(datetime.now(UTC)))  # the simulator stamps readings with the real time
    with live_server(build_app(world)) as url:
        result = runner.invoke(app, ["simulate", "--url", url, "--secret", WEBHOOK_SECRET, "--devices", "4",
                                     "--readings", "3", "--invalid-share", "0"], env=env)
    assert result.exit_code == 0, result.output
    assert _row(result.output, "quarantined") == "12"
    assert len(world.store.committed.deliveries) == 12
    assert len({d.gateway_device_id for d in world.store.committed.devices.values()}) == 4


def test_keys_rotate_then_promote_only_after_the_jwks_max_age(env: dict[str, str]) -> None:
    assert runner.invoke(app, ["keys", "status"], env=env).output.startswith("current ")
    rotated = runner.invoke(app, ["keys", "rotate"], env=env)
    assert rotated.exit_code == 0, rotated.output
    assert "pending key" in rotated.output
    status = runner.invoke(app, ["keys", "status"], env=env).output.splitlines()
    assert [line.split()[0] for line in status] == ["current", "pending"]
    too_early = runner.invoke(app, ["keys", "promote"], env=env)
    assert too_early.exit_code == 2
    assert "max-age" in too_early.output
    again = runner.invoke(app, ["keys", "rotate"], env=env)
    assert again.exit_code == 2
    assert "already exists" in again.output
