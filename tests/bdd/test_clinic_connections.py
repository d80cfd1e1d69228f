"""Steps for features/clinic_connections.feature: the app over the World of fakes, through the admin API."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from pytest_bdd import given, scenarios, then, when

from domain.users import Role
from tests.bdd.conftest import Runner
from tests.support.api import call, login
from tests.support.world import World

scenarios("clinic_connections.feature")

CONNECTIONS = "/api/v1/emr/connections/"
PASSWORD = "riverside-vendor-issued-3e9a"
RIVERSIDE = {"practice_id": "riverside", "vendor": "smart", "fhir_base_url": "https://fhir.riverside.example/r4",
             "client_id": "vantrexia-riverside"}


@pytest.fixture
def ctx() -> dict[str, Any]:
    return {}


def _connect(client: Any, ctx: dict[str, Any], run: Runner, who: str) -> httpx.Response:
    answer: httpx.Response = run(call(client, "POST", CONNECTIONS, ctx[who], {**RIVERSIDE, "client_secret": PASSWORD}))
    ctx["answer"] = answer
    return answer


@given("Ms. Abara is an administrator and Dr. Lindqvist is a clinician of the Riverside clinic")
def staff(client: Any, world: World, ctx: dict[str, Any], run: Runner) -> None:
    ctx["abara"] = run(login(client, world, Role.ADMIN, username="ms-abara"))
    ctx["lindqvist"] = run(login(client, world, Role.CLINICIAN, practice_id="riverside", username="dr-lindqvist"))


@given("Ms. Abara has connected the Riverside clinic to its health record")
def connected(client: Any, ctx: dict[str, Any], run: Runner) -> None:
    ctx["first"] = _connect(client, ctx, run, "abara").json()["id"]


@when("Ms. Abara connects the Riverside clinic to its health record with the password its vendor issued")
@when("Ms. Abara connects the Riverside clinic to its health record again")
def abara_connects(client: Any, ctx: dict[str, Any], run: Runner) -> None:
    _connect(client, ctx, run, "abara")


@when("Dr. Lindqvist tries to connect the Riverside clinic to its health record")
def lindqvist_connects(client: Any, ctx: dict[str, Any], run: Runner) -> None:
    _connect(client, ctx, run, "lindqvist")


@then("the Riverside clinic is listed among the connected clinics")
def listed(client: Any, ctx: dict[str, Any], run: Runner) -> None:
    assert ctx["answer"].status_code == 201
    ctx["listed"] = run(call(client, "GET", CONNECTIONS, ctx["abara"]))
    assert "riverside" in [c["practice_id"] for c in ctx["listed"].json()["items"]]


@then("the password is kept locked away and is never shown")
def locked_away(world: World, ctx: dict[str, Any]) -> None:
    assert PASSWORD in world.keys.secrets.values()
    assert PASSWORD not in ctx["answer"].text + ctx["listed"].text
    assert ctx["answer"].json()["has_client_secret"] is True


@then("the record of who did what says that Ms. Abara connected the Riverside clinic, without the password")
def audited(world: World) -> None:
    abara = next(user.id for user in world.db.users.values() if user.username == "ms-abara")
    (entry,) = [e for e in world.audit.entries if e.action == "emr.connection.add"]
    assert (entry.actor, entry.details["practice_id"]) == (abara, "riverside")
    assert PASSWORD not in json.dumps([dict(e.details) for e in world.audit.entries])


@then("Ms. Abara is told the clinic is connected already and is shown that connection")
def told_connected(ctx: dict[str, Any]) -> None:
    assert ctx["answer"].status_code == 409
    assert ctx["answer"].json()["id"] == ctx["first"]
    assert ctx["answer"].headers["location"].endswith(ctx["first"])


@then("Dr. Lindqvist is refused")
def refused(ctx: dict[str, Any]) -> None:
    assert ctx["answer"].status_code == 403


@then("the Riverside clinic is still not connected")
def not_connected(world: World) -> None:
    assert world.db.emr_connections == {}
    assert PASSWORD not in world.keys.secrets.values()
