"""Steps for features/reading_reaches_the_emr.feature, driven through the HTTP API on fakes."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from pytest_bdd import given, parsers, scenarios, then, when

from domain.observations import ObservationCode
from domain.patients import EmrPatient
from domain.readings import VitalSign
from tests.bdd.conftest import Runner
from tests.support.api import assign_device, call, import_patient, login, register_device
from tests.support.app import deliver, drain_outbox, fixture
from tests.support.world import World

scenarios("reading_reaches_the_emr.feature")

CUFFS = ("860013045678901", "860013045678902")  # handed out in this order
STRANGER_CUFF = "860013045699999"


@pytest.fixture
def ctx(client: AsyncTestClient[Litestar], world: World, run: Runner) -> dict[str, Any]:
    return {"auth": run(login(client, world)), "patients": {}, "cuffs": {}, "sent": 0}


@given(parsers.parse("{name} has been brought over from the clinic's health record"))
def imported(name: str, world: World, client: AsyncTestClient[Litestar], ctx: dict[str, Any], run: Runner) -> None:
    first = name.split()[0]
    emr_id = f"emr-{first.lower()}"
    world.emr.patients[emr_id] = EmrPatient(emr_id, name, None, f"MRN-{4711 + len(ctx['patients'])}")
    ctx["patients"][first] = {"id": run(import_patient(client, ctx["auth"], emr_id)), "emr_id": emr_id}


@given(parsers.parse("a blood-pressure cuff has been given to {name}"))
def cuff_given(name: str, client: AsyncTestClient[Litestar], ctx: dict[str, Any], run: Runner) -> None:
    first = name.split()[0]
    cuff = CUFFS[len(ctx["cuffs"])]
    device_id = run(register_device(client, ctx["auth"], cuff))
    run(assign_device(client, ctx["auth"], device_id, ctx["patients"][first]["id"]))
    ctx["cuffs"][first] = cuff


def _send(client: AsyncTestClient[Litestar], ctx: dict[str, Any], run: Runner, cuff: str, sys_: int, dia: int,
          pulse: int) -> None:
    body = fixture("bp_normal", sys=sys_, dia=dia, pul=pulse)
    body["deviceId"] = body["data"]["imei"] = cuff
    ctx["sent"] += 1
    ctx["delivery"] = (body, f"msg_bdd_{ctx['sent']}")
    ctx["response"] = run(deliver(client, *ctx["delivery"]))
    run(drain_outbox(client))


@given("the clinic's health record is unreachable")
def emr_down(world: World) -> None:
    world.emr.down = True


@when(parsers.parse("{first}'s cuff sends a reading of {sys_:d}/{dia:d} mmHg with a pulse of {pulse:d}"))
def cuff_sends(first: str, sys_: int, dia: int, pulse: int, client: AsyncTestClient[Litestar], ctx: dict[str, Any],
               run: Runner) -> None:
    _send(client, ctx, run, ctx["cuffs"][first], sys_, dia, pulse)


@when(parsers.parse("a cuff that was never given to a patient sends a reading of {sys_:d}/{dia:d} mmHg "
                    "with a pulse of {pulse:d}"))
def stranger_sends(sys_: int, dia: int, pulse: int, client: AsyncTestClient[Litestar], ctx: dict[str, Any],
                   run: Runner) -> None:
    _send(client, ctx, run, STRANGER_CUFF, sys_, dia, pulse)


@when("the device cloud delivers that same message again")
def redelivered(client: AsyncTestClient[Litestar], ctx: dict[str, Any], run: Runner) -> None:
    ctx["repeat"] = run(deliver(client, *ctx["delivery"]))


@when("the clinic's health record is reachable again")
def emr_back(world: World, client: AsyncTestClient[Litestar], run: Runner) -> None:
    world.emr.down = False
    world.clock.advance(timedelta(minutes=5))  # past the retry backoff, within the login session
    run(drain_outbox(client))


@then("the reading is accepted")
def accepted(ctx: dict[str, Any]) -> None:
    assert ctx["response"].status_code == 202
    assert ctx["response"].json()["status"] == "accepted"


@then("the reading is held for review")
def held(ctx: dict[str, Any]) -> None:
    assert ctx["response"].json()["status"] == "quarantined"


@then("the repeat delivery is recognised as a duplicate")
def duplicate(ctx: dict[str, Any]) -> None:
    assert ctx["repeat"].status_code == 202
    assert ctx["repeat"].json()["status"] == "duplicate"


def _chart(world: World, ctx: dict[str, Any], first: str, code: ObservationCode | None = None) -> list[Any]:
    emr_id = ctx["patients"][first]["emr_id"]
    return [o.draft for o in world.emr.observations.values()
            if o.draft.emr_patient_id == emr_id and code in (None, o.draft.code)]


@then(parsers.parse("{first}'s chart shows a blood pressure of {sys_:d}/{dia:d} mmHg"))
def chart_bp(first: str, sys_: int, dia: int, world: World, ctx: dict[str, Any]) -> None:
    shown = [(d.reading.value(VitalSign.SYSTOLIC), d.reading.value(VitalSign.DIASTOLIC))
             for d in _chart(world, ctx, first, ObservationCode.BLOOD_PRESSURE)]
    assert [(s.value, d.value) for s, d in shown if s and d] == [(Decimal(sys_), Decimal(dia))]


@then(parsers.parse("{first}'s chart shows a heart rate of {pulse:d} beats per minute"))
def chart_pulse(first: str, pulse: int, world: World, ctx: dict[str, Any]) -> None:
    rates = [d.reading.value(VitalSign.PULSE) for d in _chart(world, ctx, first, ObservationCode.HEART_RATE)]
    assert [r.value for r in rates if r] == [Decimal(pulse)]


@then(parsers.parse("{first}'s chart holds exactly one blood pressure for that moment"))
def exactly_one(first: str, world: World, ctx: dict[str, Any]) -> None:
    assert len(_chart(world, ctx, first, ObservationCode.BLOOD_PRESSURE)) == 1


@then(parsers.parse("nothing is filed in {first}'s chart"))
def nothing_in_chart(first: str, world: World, ctx: dict[str, Any]) -> None:
    assert world.emr.observations, "something must have been filed elsewhere for this to mean anything"
    assert _chart(world, ctx, first) == []


@then("nothing is filed in any chart")
def nothing_filed(world: World) -> None:
    assert world.emr.observations == {}


def _sync_statuses(first: str, client: AsyncTestClient[Litestar], ctx: dict[str, Any], run: Runner) -> list[str]:
    patient_id = ctx["patients"][first]["id"]
    items = run(call(client, "GET", f"/api/v1/patients/{patient_id}/sync-status", ctx["auth"])).json()["items"]
    return sorted(i["status"] for i in items)


@then(parsers.parse("{first}'s sync history shows both entries as delivered"))
def sync_delivered(first: str, client: AsyncTestClient[Litestar], ctx: dict[str, Any], run: Runner) -> None:
    assert _sync_statuses(first, client, ctx, run) == ["delivered", "delivered"]


@then(parsers.parse("{first}'s sync history shows both entries waiting to be tried again"))
def sync_retrying(first: str, client: AsyncTestClient[Litestar], ctx: dict[str, Any], run: Runner) -> None:
    assert _sync_statuses(first, client, ctx, run) == ["retrying", "retrying"]


@then(parsers.parse("{first}'s sync history is empty"))
def sync_empty(first: str, client: AsyncTestClient[Litestar], ctx: dict[str, Any], run: Runner) -> None:
    assert _sync_statuses(first, client, ctx, run) == []
