"""The audit trail over HTTP (admins only) and `vantrexia audit verify`."""

from __future__ import annotations

from pathlib import Path

from litestar import Litestar
from litestar.testing import AsyncTestClient
from typer.testing import CliRunner

from domain.users import Role
from entrypoints.cli.main import app as cli
from tests.support.api import enrol_patient, login
from tests.support.world import World

Client = AsyncTestClient[Litestar]


async def test_admins_read_the_trail_and_clinicians_may_not(client: Client, auth: dict[str, str],
                                                            world: World) -> None:
    await enrol_patient(client, auth)
    assert (await client.get("/api/v1/audit/", headers=auth)).status_code == 403
    admin = await login(client, world, Role.ADMIN)
    page = (await client.get("/api/v1/audit/?action=patient.import", headers=admin)).json()
    assert page["total"] == 1
    (entry,) = page["items"]
    assert (entry["action"], entry["outcome"], entry["resource_type"]) == ("patient.import", "success", "Patient")
    assert world.audit.actions()[-1] == "audit.read"


async def test_the_trail_filters_by_the_actor_query_parameter(client: Client, auth: dict[str, str],
                                                               world: World) -> None:
    await enrol_patient(client, auth)
    admin = await login(client, world, Role.ADMIN)
    clinician_id = next(u.id for u in world.store.committed.users.values() if u.role is Role.CLINICIAN)
    page = (await client.get("/api/v1/audit/", params={"actor": clinician_id}, headers=admin)).json()
    assert page["total"] >= 1
    assert {entry["actor"] for entry in page["items"]} == {clinician_id}


def test_audit_verify_reports_an_intact_chain(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'a.db'}", "LOG_LEVEL": "WARNING",
           "VANTREXIA_KEY_FILE": str(tmp_path / "keys.json")}
    runner = CliRunner()
    assert runner.invoke(cli, ["migrate"], env=env).exit_code == 0
    created = runner.invoke(cli, ["users", "create", "--username", "dr-audit", "--role", "admin", "--password-stdin"],
                            input="a-long-enough-password\n", env=env)
    assert created.exit_code == 0
    verified = runner.invoke(cli, ["audit", "verify"], env=env)
    assert verified.exit_code == 0, verified.output
    assert "audit chain intact: 0 sealed entries, 1 awaiting their seal" in verified.output  # 2 s grace period
