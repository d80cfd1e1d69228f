"""Steps for features/device_ownership.feature, driven through the HTTP API on fakes."""

from __future__ import annotations

from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from pytest_bdd import given, scenarios, then, when

from domain.users import Role
from tests.bdd.conftest import Runner
from tests.support.api import login, register_device, register_device_answer
from tests.support.app import deliver, fixture
from tests.support.world import World

scenarios("device_ownership.feature")

LAKESIDE, RIVERSIDE = "lakeside-clinic", "riverside-clinic"
Client = AsyncTestClient[Litestar]


@pytest.fixture
def ctx(client: Client, world: World, run: Runner) -> dict[str, Any]:
    world.connect(LAKESIDE, RIVERSIDE)  # the clinics' EMR connections (one EMR server)
    return {"admin": run(login(client, world, Role.ADMIN))}


def _call(client: Client, run: Runner, method: str, path: str, who: dict[str, str], body: Any = None) -> Any:
    return run(client.request(method, path, json=body, headers=who))


def _import(client: Client, run: Runner, ctx: dict[str, Any], emr_id: str, practice: str) -> str:
    imported = _call(client, run, "POST", "/api/v1/patients/import_selected_from_ecw/", ctx["admin"],
                     {"ecw_patient_ids": [emr_id], "practice_id": practice})
    return str(imported.json()["patients"][0]["vantrexia_id"])


def _devices_of(client: Client, run: Runner, who: dict[str, str]) -> set[str]:
    return {d["id"] for d in _call(client, run, "GET", "/api/v1/devices/", who).json()["items"]}


@given("Greta Northcott of Lakeside Clinic has a blood-pressure cuff")
def gretas_cuff(client: Client, world: World, ctx: dict[str, Any], run: Runner) -> None:
    nurse = run(login(client, world, Role.CLINICIAN, LAKESIDE))
    ctx["greta"] = _import(client, run, ctx, "synthetic-patient-0001", LAKESIDE)
    ctx["nurse"] = nurse
    ctx["cuff"] = run(register_device(client, nurse, fixture("bp_normal")["deviceId"], "TMB-2092-G"))
    assigned = _call(client, run, "POST", f"/api/v1/devices/{ctx['cuff']}/assign/", nurse,
                     {"patient_id": ctx["greta"], "effective_from": "2026-11-20T00:00:00Z"})
    assert assigned.status_code == 200, assigned.text


@given("Dr. Osei is a clinician of Riverside Clinic")
def osei(client: Client, world: World, ctx: dict[str, Any], run: Runner) -> None:
    ctx["osei"] = run(login(client, world, Role.CLINICIAN, RIVERSIDE))


@when("Dr. Osei tries to give Greta's cuff to a patient of Riverside Clinic")
def takeover(client: Client, ctx: dict[str, Any], run: Runner) -> None:
    his_patient = _import(client, run, ctx, "synthetic-patient-0002", RIVERSIDE)
    ctx["answer"] = _call(client, run, "POST", f"/api/v1/devices/{ctx['cuff']}/assign/", ctx["osei"],
                          {"patient_id": his_patient})


@when("Dr. Osei looks for Greta's cuff")
def looks(client: Client, ctx: dict[str, Any], run: Runner) -> None:
    ctx["answer"] = _call(client, run, "GET", f"/api/v1/devices/{ctx['cuff']}", ctx["osei"])


@then("Dr. Osei is told there is no such device")
def no_such_device(ctx: dict[str, Any]) -> None:
    assert (ctx["answer"].status_code, ctx["answer"].json()["detail"]) == (404, "device not found")


@then("Greta's next measurement from the cuff is still filed in Greta's record")
def still_gretas(client: Client, world: World, ctx: dict[str, Any], run: Runner) -> None:
    reading_id = run(deliver(client, fixture("bp_normal"))).json()["reading_id"]
    assert world.store.committed.readings[reading_id].patient_id == ctx["greta"]


@then("Greta's cuff is not in Dr. Osei's list of devices")
def cuff_not_listed(client: Client, ctx: dict[str, Any], run: Runner) -> None:
    assert ctx["cuff"] not in _devices_of(client, run, ctx["osei"])


@given("a scale nobody registered has sent a measurement")
def stray_scale(client: Client, world: World, ctx: dict[str, Any], run: Runner) -> None:
    assert run(deliver(client, fixture("scale"))).json()["status"] == "quarantined"
    (scale,) = [d for d in world.store.committed.devices.values() if d.registered_at is None]
    ctx["scale"] = scale.id


@when("Dr. Osei registers the scale")
def registers(client: Client, ctx: dict[str, Any], run: Runner) -> None:
    answer = run(register_device_answer(client, ctx["osei"], fixture("scale")["deviceId"], "TMB-2091-G"))
    assert answer.status_code == 201, answer.text


@then("the scale is not in Dr. Osei's list of devices")
def scale_not_listed(client: Client, ctx: dict[str, Any], run: Runner) -> None:
    assert ctx["scale"] not in _devices_of(client, run, ctx["osei"])


@then("the scale is in Dr. Osei's list of devices")
def scale_listed(client: Client, ctx: dict[str, Any], run: Runner) -> None:
    assert ctx["scale"] in _devices_of(client, run, ctx["osei"])


@when("a nurse of Lakeside Clinic registers Greta's cuff again")
def nurse_registers_again(client: Client, ctx: dict[str, Any], run: Runner) -> None:
    ctx["answer"] = run(register_device_answer(client, ctx["nurse"], fixture("bp_normal")["deviceId"]))


@when("Dr. Osei registers Greta's cuff")
def osei_registers_the_cuff(client: Client, ctx: dict[str, Any], run: Runner) -> None:
    ctx["answer"] = run(register_device_answer(client, ctx["osei"], fixture("bp_normal")["deviceId"]))


@then("she is told the cuff is registered already and shown Greta's cuff")
def shown_the_cuff(client: Client, ctx: dict[str, Any], run: Runner) -> None:
    answer = ctx["answer"]
    assert (answer.status_code, answer.json()["id"]) == (409, ctx["cuff"])
    shown = _call(client, run, "GET", answer.headers["location"], ctx["nurse"])
    assert (shown.status_code, shown.json()["id"]) == (200, ctx["cuff"])


@then("Dr. Osei is told the cuff is registered already and shown nothing more about it")
def shown_nothing(ctx: dict[str, Any]) -> None:
    answer = ctx["answer"]
    assert answer.status_code == 409
    assert "id" not in answer.json()
    assert "location" not in answer.headers
    assert ctx["cuff"] not in answer.text
