"""Steps for features/audit_and_privacy.feature: the app on a real SQLite database (triggers, chain)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from litestar import Litestar
from pytest_bdd import given, parsers, scenarios, then, when
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from typer.testing import CliRunner

from adapters.sql.engine import create_engine
from domain.patients import EmrPatient
from domain.ports import AuditLog
from domain.users import Role
from entrypoints.cli.main import app as cli
from tests.bdd.conftest import Runner
from tests.support.api import assign_device, call, import_patient, login_stored, register_device
from tests.support.app import build_app, container_of, deliver, drain_outbox, fixture, in_app, settings_for_tests
from tests.support.phi import leaks
from tests.support.world import World

scenarios("audit_and_privacy.feature")

GRETA = EmrPatient("emr-greta", "Greta Northcott", date(1951, 3, 14), "MRN-5150")
PHONE = "fcm-token-dr-lindqvist-phone-00000"


@pytest.fixture
def app(world: World, sqlite_url: str) -> Litestar:
    return build_app(world, settings_for_tests(database_url=sqlite_url), fake_database=False)


@pytest.fixture
def ctx(sqlite_url: str) -> dict[str, Any]:
    return {"url": sqlite_url}


@given(parsers.parse("Greta Northcott's record has been brought over from the clinic's health record"))
def greta(world: World) -> None:
    world.emr.patients[GRETA.emr_patient_id] = GRETA


@given("Dr. Lindqvist is a clinician and Ms. Abara is an administrator")
def staff(client: Any, app: Litestar, ctx: dict[str, Any], run: Runner) -> None:
    ctx["clinician"] = run(login_stored(client, "dr-lindqvist", Role.CLINICIAN))
    ctx["admin"] = run(login_stored(client, "ms-abara", Role.ADMIN))
    ctx["patient_id"] = run(import_patient(client, ctx["clinician"], GRETA.emr_patient_id))


@when("Dr. Lindqvist opens Greta's record")
def opens(client: Any, ctx: dict[str, Any], run: Runner) -> None:
    assert run(call(client, "GET", f"/api/v1/patients/{ctx['patient_id']}", ctx["clinician"])).status_code == 200


@given("Dr. Osei is a clinician of another practice")
def osei(client: Any, app: Litestar, ctx: dict[str, Any], run: Runner) -> None:
    ctx["other"] = run(login_stored(client, "dr-osei", Role.CLINICIAN, "riverside-clinic"))


@when("Dr. Osei asks for Greta's record")
def osei_asks(client: Any, ctx: dict[str, Any], run: Runner) -> None:
    ctx["answer"] = run(call(client, "GET", f"/api/v1/patients/{ctx['patient_id']}", ctx["other"]))


@then("Dr. Osei is told there is no such patient")
def no_such_patient(ctx: dict[str, Any]) -> None:
    assert ctx["answer"].status_code == 404
    assert "Greta" not in ctx["answer"].text


def _listed(client: Any, run: Runner, who: dict[str, str]) -> set[str]:
    return {p["id"] for p in run(call(client, "GET", "/api/v1/patients/", who)).json()["items"]}


@then("Greta does not appear in Dr. Osei's list of patients")
def not_listed(client: Any, ctx: dict[str, Any], run: Runner) -> None:
    assert ctx["patient_id"] not in _listed(client, run, ctx["other"])


@then("Dr. Lindqvist still sees Greta in his list of patients")
def still_listed(client: Any, ctx: dict[str, Any], run: Runner) -> None:
    assert ctx["patient_id"] in _listed(client, run, ctx["clinician"])


def _trail(client: Any, ctx: dict[str, Any], run: Runner) -> list[dict[str, Any]]:
    answer = run(call(client, "GET", "/api/v1/audit/?page_size=500", ctx["admin"]))
    entries: list[dict[str, Any]] = answer.json()["items"]
    return entries


@then("the audit trail shows that Dr. Lindqvist read a patient record")
def trail_shows(client: Any, ctx: dict[str, Any], run: Runner) -> None:
    reads = [e for e in _trail(client, ctx, run) if e["action"] == "patient.read"]
    assert [e["resource_ids"] for e in reads] == [[ctx["patient_id"]]]
    assert reads[0]["actor"] != "anonymous"


@then("the audit trail does not contain Greta's name, birth date or record number")
def no_phi(client: Any, ctx: dict[str, Any], run: Runner) -> None:
    text_of_trail = str(_trail(client, ctx, run))
    for detail in ("Greta", "Northcott", "1951-03-14", "MRN-5150"):
        assert detail not in text_of_trail


@then("Dr. Lindqvist is refused the audit trail")
def refused(client: Any, ctx: dict[str, Any], run: Runner) -> None:
    assert run(call(client, "GET", "/api/v1/audit/", ctx["clinician"])).status_code == 403


@then("Ms. Abara can read the audit trail")
def admin_reads(client: Any, ctx: dict[str, Any], run: Runner) -> None:
    assert run(call(client, "GET", "/api/v1/audit/", ctx["admin"])).status_code == 200


async def _execute(url: str, statement: str) -> None:
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            for part in statement.split(";"):
                await connection.execute(text(part))
    finally:
        await engine.dispose()


@when("someone tries to change an entry of the stored audit trail directly")
def try_change(ctx: dict[str, Any], run: Runner) -> None:
    try:
        run(_execute(ctx["url"], "UPDATE audit_log SET actor = 'nobody'"))
        ctx["refused"] = False
    except DBAPIError as error:
        ctx["refused"] = "append-only" in str(error)


@then("the change is refused")
def db_refuses(ctx: dict[str, Any]) -> None:
    assert ctx["refused"] is True


@given("the audit trail has been sealed")
def sealed(client: Any, app: Litestar, run: Runner) -> None:
    async def seal() -> None:
        async with container_of(app)() as scope:
            await (await scope.get(AuditLog)).seal()

    run(in_app(client, seal))


@when("someone with full access to the stored records alters a sealed entry")
def alter(ctx: dict[str, Any], run: Runner) -> None:
    run(_execute(ctx["url"], "DROP TRIGGER audit_log_no_update; "
                             "UPDATE audit_log SET actor = 'forged' WHERE id = (SELECT min(id) + 1 FROM audit_log)"))


@then("the audit check reports the altered entry as the first broken link")
def check_reports(ctx: dict[str, Any]) -> None:
    result = CliRunner().invoke(cli, ["audit", "verify", "--no-seal-first"],
                                env={"DATABASE_URL": ctx["url"], "LOG_LEVEL": "WARNING"})
    assert result.exit_code == 1
    assert "BROKEN at entry 2: entry was altered after it was sealed" in result.output


@given("Dr. Lindqvist's phone is registered for alerts")
def phone(client: Any, ctx: dict[str, Any], run: Runner) -> None:
    run(call(client, "POST", "/api/v1/notifications/tokens/", ctx["clinician"], {"token": PHONE}))


@given("Greta has a blood-pressure cuff")
def cuff(client: Any, ctx: dict[str, Any], run: Runner) -> None:
    device_id = run(register_device(client, ctx["clinician"], fixture("bp_crisis")["deviceId"]))
    run(assign_device(client, ctx["clinician"], device_id, ctx["patient_id"]))


@when(parsers.parse("Greta's cuff reads {sys_:d}/{dia:d} mmHg"))
def reads(sys_: int, dia: int, client: Any, run: Runner) -> None:
    assert run(deliver(client, fixture("bp_crisis", sys=sys_, dia=dia))).json()["status"] == "accepted"
    run(drain_outbox(client))


@then('Dr. Lindqvist\'s phone shows "New patient alert" with no name, reading or record number')
def phone_shows(world: World) -> None:
    (push,) = world.notifier.sent
    assert push.token == PHONE
    assert set(vars(push.message)) == {"alert_id", "alert_type", "severity", "action_code"}
    assert leaks(repr(push.message), ("Greta", "Northcott", "MRN-5150"), ("186", "124")) == []
