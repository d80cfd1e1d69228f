"""Steps for features/device_readings.feature, driven through the HTTP API on fakes."""

from __future__ import annotations

from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from pytest_bdd import given, parsers, scenarios, then, when

from domain.patients import EmrPatient
from tests.bdd.conftest import Runner
from tests.support.api import assign_device, call, import_patient, login, register_device
from tests.support.app import TELEMETRY, drain_outbox, fixture, signed
from tests.support.hostile import UNREADABLE
from tests.support.world import World

scenarios("device_readings.feature")

STATUS = "/api/v1/webhooks/mioconnect/status"
NEXT_WEEK = 1795183194 + 7 * 86400
SAMPLES: dict[str, tuple[str, dict[str, Any]]] = {
    "normal blood-pressure reading": ("bp_normal", {}),
    "weight from the scale": ("scale", {}),
    "blood sugar in mmol/L": ("glucose_mmol", {}),
    "pulse oximeter reading": ("pulseox", {}),
    "control-solution test of the glucose meter": ("glucose_control_solution", {}),
    "pulse oximeter reading it could not take": ("pulseox_sentinel", {}),
    "blood-pressure reading of 60/90": ("bp_normal", {"sys": 60, "dia": 90}),
    "weight of 5 kg": ("scale", {"wt": 5000}),
    "reading marked as a test by the cloud": ("bp_normal", {}),
    "reading dated next week": ("bp_normal", {"ts": NEXT_WEEK}),
}
MEASURES = {"systolic pressure": "systolic", "pulse": "pulse", "body weight": "body_weight",
            "blood sugar": "glucose", "oxygen saturation": "spo2"}
UNITS = {"mmHg": "mm[Hg]", "beats per minute": "/min", "kg": "kg", "mmol/L": "mmol/L", "%": "%"}  # API codes
CELIAS_DEVICES = {"bp_normal": "TMB-2092-G", "scale": "TMB-2091-G", "glucose_mmol": "TMB-2093-G",
                  "pulseox": "TMB-2094-G"}


@pytest.fixture
def ctx(client: AsyncTestClient[Litestar], world: World, run: Runner) -> dict[str, Any]:
    return {"auth": run(login(client, world)), "devices": {}}


@given(parsers.parse("{name} is monitored at home"))
def monitored(name: str, world: World, client: AsyncTestClient[Litestar], ctx: dict[str, Any], run: Runner) -> None:
    world.emr.patients["emr-celia"] = EmrPatient("emr-celia", name, None, "MRN-0815")
    ctx["patient_id"] = run(import_patient(client, ctx["auth"], "emr-celia"))


def _hand_out(client: AsyncTestClient[Litestar], run: Runner, ctx: dict[str, Any], imei: str, model: str) -> None:
    ctx["devices"][imei] = run(register_device(client, ctx["auth"], imei, model))
    run(assign_device(client, ctx["auth"], ctx["devices"][imei], ctx["patient_id"]))


@given(parsers.parse("{name} has been given a blood-pressure cuff, a scale, a glucose meter and a pulse oximeter"))
def devices_given(name: str, client: AsyncTestClient[Litestar], ctx: dict[str, Any], run: Runner) -> None:
    for sample, model in CELIAS_DEVICES.items():
        _hand_out(client, run, ctx, fixture(sample)["deviceId"], model)


def _arrive(client: AsyncTestClient[Litestar], app: Litestar, run: Runner, ctx: dict[str, Any],
            body: dict[str, Any], path: str = TELEMETRY) -> Any:
    raw, headers = signed(body)
    ctx["response"] = run(client.post(path, content=raw, headers=headers))  # the device cloud signs, no session
    run(drain_outbox(client))
    return ctx["response"]


@when(parsers.parse("the {sample} arrives from the device cloud"))
def arrives(sample: str, client: AsyncTestClient[Litestar], app: Litestar, ctx: dict[str, Any], run: Runner) -> None:
    name, overrides = SAMPLES[sample]
    body = fixture(name, **overrides)
    body["isTest"] = sample == "reading marked as a test by the cloud"
    ctx["first"] = _arrive(client, app, run, ctx, body).json()
    ctx["body"] = body


@when("a reading arrives from a device the clinic never handed out")
def stranger(client: AsyncTestClient[Litestar], app: Litestar, ctx: dict[str, Any], run: Runner) -> None:
    body = fixture("bp_normal")
    body["deviceId"] = body["data"]["imei"] = "860013045611111"
    _arrive(client, app, run, ctx, body)


@when("the device cloud sends the same measurement again as a separate delivery")
def again(client: AsyncTestClient[Litestar], app: Litestar, ctx: dict[str, Any], run: Runner) -> None:
    _arrive(client, app, run, ctx, ctx["body"])


@when(parsers.parse("a correctly signed delivery arrives that {problem}"))
def unreadable(problem: str, client: AsyncTestClient[Litestar], ctx: dict[str, Any], run: Runner) -> None:
    path, ctx["raw"] = UNREADABLE[problem]
    raw, headers = signed(ctx["raw"])
    ctx["response"] = run(client.post(path, content=raw, headers=headers))


@when(parsers.parse("the clinic hands that device to {name} from the start of the day"))
def hand_over(name: str, client: AsyncTestClient[Litestar], app: Litestar, ctx: dict[str, Any], run: Runner) -> None:
    _hand_out(client, run, ctx, "860013045611111", "TMB-2092-G")
    run(drain_outbox(client))


@when(parsers.parse("the blood-pressure cuff reports its battery at {percent:d} percent"))
def status_report(percent: int, client: AsyncTestClient[Litestar], app: Litestar, ctx: dict[str, Any],
                  run: Runner) -> None:
    _arrive(client, app, run, ctx, fixture("status_bp", bat=percent), path=STATUS)


def _readings(client: AsyncTestClient[Litestar], run: Runner, ctx: dict[str, Any]) -> list[dict[str, Any]]:
    response = run(call(client, "GET", f"/api/v1/patients/{ctx['patient_id']}/readings", ctx["auth"]))
    readings: list[dict[str, Any]] = response.json()["items"]
    return readings


@then("the measurement is accepted")
def accepted(ctx: dict[str, Any]) -> None:
    assert ctx["response"].json()["status"] == "accepted"


@then(parsers.parse("Celia's {measure} is recorded as {value} {unit}"))
def recorded(measure: str, value: str, unit: str, client: AsyncTestClient[Litestar], ctx: dict[str, Any],
             run: Runner) -> None:
    (reading,) = _readings(client, run, ctx)
    assert reading["values"][MEASURES[measure]] == {"value": float(value), "unit": UNITS[unit]}


@then(parsers.parse("the chart entry for it shows {value:d} mg/dL taken before a meal"))
def chart_glucose(value: int, client: AsyncTestClient[Litestar], ctx: dict[str, Any], run: Runner) -> None:
    bundle = run(call(client, "GET", f"/api/v1/readings/{ctx['first']['reading_id']}/fhir", ctx["auth"])).json()
    (entry,) = bundle["entry"]
    assert entry["resource"]["valueQuantity"]["value"] == value
    assert entry["resource"]["valueQuantity"]["code"] == "mg/dL"
    (reading,) = _readings(client, run, ctx)
    assert reading["context"]["meal"] == "before"


@then(parsers.parse('the measurement is set aside because of "{reason}"'))
def set_aside(reason: str, ctx: dict[str, Any]) -> None:
    answer = ctx["response"].json()
    assert answer["status"] == "discarded"
    assert reason in answer["reason"]


@then(parsers.parse('the delivery is kept exactly as it came, marked unreadable because "{reason}"'))
def kept_unreadable(reason: str, ctx: dict[str, Any], world: World) -> None:
    response = ctx["response"]
    assert (response.status_code, response.json()["detail"]) == (422, reason)
    kept = world.store.committed.deliveries[response.json()["delivery_id"]]
    assert (kept.status.value, kept.reason, kept.body) == ("rejected", reason, ctx["raw"])


@then("nothing about it is sent to the chart")
def nothing_sent(world: World) -> None:
    assert world.emr.observations == {}


@then("the measurement is held for review")
def held(ctx: dict[str, Any]) -> None:
    assert ctx["response"].json()["status"] == "quarantined"


@then("the held measurement is filed for Celia")
def filed(client: AsyncTestClient[Litestar], ctx: dict[str, Any], run: Runner, world: World) -> None:
    (reading,) = _readings(client, run, ctx)
    assert reading["status"] == "accepted"
    assert {o.draft.emr_patient_id for o in world.emr.observations.values()} == {"emr-celia"}


@then("the second delivery is recognised as a duplicate")
def duplicate(ctx: dict[str, Any]) -> None:
    assert ctx["response"].json()["status"] == "duplicate"


@then("Celia has exactly one blood-pressure reading")
def one_reading(client: AsyncTestClient[Litestar], ctx: dict[str, Any], run: Runner) -> None:
    assert [r["kind"] for r in _readings(client, run, ctx)] == ["blood_pressure"]


@then(parsers.parse("the cuff's battery shows {percent:d} percent"))
def battery(percent: int, client: AsyncTestClient[Litestar], ctx: dict[str, Any], run: Runner) -> None:
    device_id = ctx["devices"][fixture("status_bp")["deviceId"]]
    device = run(call(client, "GET", f"/api/v1/devices/{device_id}", ctx["auth"])).json()
    assert device["battery_percent"] == percent


@then("Celia has no readings")
def no_readings(client: AsyncTestClient[Litestar], ctx: dict[str, Any], run: Runner) -> None:
    assert _readings(client, run, ctx) == []
