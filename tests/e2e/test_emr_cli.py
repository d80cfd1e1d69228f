"""`vantrexia emr add|list|test` against a real SQLite database and key file: the secret comes from stdin,
lands in the key store and nowhere else; errors are one line; `test` prints the tutorial's two answers."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
from collections.abc import Sequence
from pathlib import Path

import pytest
import trustme
from typer.testing import CliRunner

from adapters.keys.file_store import FileKeyStore
from adapters.sql.audit import SqlAuditLog
from adapters.sql.engine import create_engine
from adapters.sql.unit_of_work import SqlAlchemyUnitOfWork
from domain.audit import AuditEntry, AuditQuery
from domain.emr_connections import EmrConnection
from entrypoints.cli.main import app

runner = CliRunner()
SECRET = "issued-by-the-clinic-emr-77c2"
PIN = base64.b64encode(hashlib.sha256(b"the clinic's leaf key").digest()).decode()


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    values = {
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}",
        "VANTREXIA_KEY_FILE": str(tmp_path / "keys" / "keystore.json"),
        "LOG_LEVEL": "WARNING",
    }
    assert runner.invoke(app, ["migrate"], env=values).exit_code == 0
    return values


def _add_args(practice: str = "clinic-north", *more: str) -> list[str]:
    return ["emr", "add", "--practice", practice, "--vendor", "smart", "--fhir-base-url",
            f"https://fhir.{practice}.example/r4", "--client-id", f"vantrexia-{practice}", *more]


async def _stored(database_url: str) -> tuple[Sequence[EmrConnection], Sequence[AuditEntry]]:
    engine = create_engine(database_url)
    try:
        async with SqlAlchemyUnitOfWork(engine) as uow:
            connections = await uow.emr_connections.list()
        found, _ = await SqlAuditLog(engine).search(AuditQuery(offset=0, limit=100))
        return connections, [stored.entry for stored in found]
    finally:
        await engine.dispose()


def test_add_stores_the_connection_and_its_secret_from_stdin(env: dict[str, str], tmp_path: Path) -> None:
    ca_file = tmp_path / "clinic-ca.pem"
    ca_file.write_text(trustme.CA().cert_pem.bytes().decode())
    added = runner.invoke(app, [*_add_args("clinic-north", "--tls-pin", PIN, "--tls-pin", PIN, "--ca-bundle-file",
                                           str(ca_file), "--max-in-flight", "3", "--client-secret-stdin")],
                          input=f"{SECRET}\n", env=env)
    assert added.exit_code == 0, added.output
    (connection,), audit = asyncio.run(_stored(env["DATABASE_URL"]))
    assert added.output.startswith(f"added EMR connection {connection.id} for practice clinic-north")
    assert (connection.tls_pins, connection.max_in_flight, connection.has_client_secret) == ((PIN, PIN), 3, True)
    assert connection.ca_bundle_pem == ca_file.read_text()
    keys = FileKeyStore(Path(env["VANTREXIA_KEY_FILE"]))
    assert asyncio.run(keys.stored_secret(connection.secret_name)) == SECRET
    (entry,) = [e for e in audit if e.action == "emr.connection.add"]
    assert (entry.actor, entry.resource_ids, entry.details["practice_id"]) == ("service:cli", (connection.id,),
                                                                               "clinic-north")
    listed = runner.invoke(app, ["emr", "list"], env=env)
    assert listed.exit_code == 0, listed.output
    assert "clinic-north" in listed.output
    assert "settings" in listed.output  # the default practice's, made of the settings
    assert all(SECRET not in text for text in (added.output, listed.output, json.dumps([dict(e.details)
                                                                                       for e in audit])))


def test_errors_are_one_line_with_exit_code_2(env: dict[str, str]) -> None:
    assert runner.invoke(app, _add_args(), env=env).exit_code == 0
    again = runner.invoke(app, _add_args(), env=env)
    bad_pin = runner.invoke(app, _add_args("clinic-south", "--tls-pin", "not-a-pin"), env=env)
    over_settings = runner.invoke(app, _add_args("default"), env=env)
    no_connection = runner.invoke(app, ["emr", "test", "--practice", "clinic-nowhere"], env=env)
    for result, says in ((again, "has an EMR connection already"), (bad_pin, "tls_pins must"),
                         (over_settings, "ECW_* settings"), (no_connection, "no active EMR connection")):
        assert result.exit_code == 2, result.output
        (line,) = result.output.strip().splitlines()
        assert line.startswith("error: ")
        assert says in line


def test_emr_test_prints_both_answers_for_the_practices_own_emr(env: dict[str, str]) -> None:
    sandbox = {**env, "VANTREXIA_EMR": "sandbox"}
    result = runner.invoke(app, ["emr", "test", "--practice", "default"], env=sandbox)
    assert result.exit_code == 0, result.output
    answers = json.loads(result.output)
    assert set(answers) == {"jwt", "connection"}
    assert answers["jwt"]["status"] == "success"
    assert answers["jwt"]["token_endpoint"].startswith("http://127.0.0.1:")
    assert answers["connection"]["status"] == "success"
    assert answers["connection"]["supports_observation_create"] is True
    _, audit = asyncio.run(_stored(env["DATABASE_URL"]))
    checks = {(e.action, e.details["status"], e.details["practice_id"]) for e in audit if e.actor == "service:cli"}
    assert checks == {("emr.token.test", "success", "default"), ("emr.connection.test", "success", "default")}


def test_emr_test_of_a_failing_check_exits_1_with_the_answers(env: dict[str, str]) -> None:
    assert runner.invoke(app, _add_args("clinic-north"), env=env).exit_code == 0
    result = runner.invoke(app, ["emr", "test", "--practice", "clinic-north"], env=env)  # the in-memory EMR
    assert result.exit_code == 1, result.output
    answers = json.loads(result.output)
    assert answers["jwt"]["status"] == "error"  # the in-memory EMR has no token endpoint, and says so
    assert "VANTREXIA_EMR" in answers["jwt"]["hint"]
    assert answers["connection"]["status"] == "success"
