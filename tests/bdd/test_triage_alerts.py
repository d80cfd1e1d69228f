"""Steps for features/triage_alerts.feature, driven through the HTTP API on fakes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from pytest_bdd import given, parsers, scenarios, then, when

from domain.patients import EmrPatient
from domain.users import Role
from entrypoints.worker import OutboxWorker
from tests.bdd.conftest import Runner
from tests.support.api import assign_device, call, import_patient, login, register_device
from tests.support.app import container_of, deliver, drain_outbox, fixture, in_app
from tests.support.phi import leaks
from tests.support.world import World

scenarios("triage_alerts.feature")

PHONE = "fcm-token-dr-okafor-phone-000000001"
OUTCOMES = {
    "no alert": None,
    "a critical blood-pressure crisis alert": ("bp_crisis", "critical"),
    "a warning for stage 2 blood pressure": ("bp_stage2", "warning"),
    "a warning for low blood pressure": ("hypotension", "warning"),
    "a critical alert for low blood pressure": ("hypotension", "critical"),
    "a warning for low oxygen saturation": ("spo2_low", "warning"),
    "a critical alert for low oxygen saturation": ("spo2_low", "critical"),
}


@pytest.fixture
def ctx(client: AsyncTestClient[Litestar], world: World, run: Runner) -> dict[str, Any]:
    return {"auth": run(login(client, world, username="dr-okafor"))}


@given(parsers.parse("{name} is monitored at home with a blood-pressure cuff and a pulse oximeter"))
def monitored(name: str, world: World, client: AsyncTestClient[Litestar], ctx: dict[str, Any], run: Runner) -> None:
    world.emr.patients["emr-bram"] = EmrPatient("emr-bram", name, None, "MRN-2207")
    ctx["patient_id"] = run(import_patient(client, ctx["auth"], "emr-bram"))
    for sample, model in (("bp_normal", "TMB-2092-G"), ("pulseox", "TMB-2094-G")):
        device_id = run(register_device(client, ctx["auth"], fixture(sample)["deviceId"], model))
        run(assign_device(client, ctx["auth"], device_id, ctx["patient_id"]))


@given(parsers.parse("Dr. Okafor's phone is registered for alerts"))
def phone(client: AsyncTestClient[Litestar], ctx: dict[str, Any], run: Runner) -> None:
    run(call(client, "POST", "/api/v1/notifications/tokens/", ctx["auth"], {"token": PHONE}))


@given(parsers.parse("Bram's care team sets his low-oxygen limit to {limit:d} percent"))
def low_oxygen_limit(limit: int, client: AsyncTestClient[Litestar], ctx: dict[str, Any], run: Runner) -> None:
    run(call(client, "PUT", f"/api/v1/patients/{ctx['patient_id']}/thresholds/", ctx["auth"],
             {"thresholds": {"spo2_low_below": limit}}))


@when(parsers.parse("Bram's cuff reads {sys_:d}/{dia:d} mmHg"))
def cuff_reads(sys_: int, dia: int, client: AsyncTestClient[Litestar], ctx: dict[str, Any], run: Runner) -> None:
    answer = run(deliver(client, fixture("bp_normal", sys=sys_, dia=dia, pul=72)))
    assert answer.json()["status"] == "accepted"  # "no alert" must not mean "reading set aside"
    if not ctx.get("no_drain"):
        run(drain_outbox(client))


@given(parsers.parse("{count:d} of Bram's earlier readings are still waiting to be filed in the chart"))
def backlog(count: int, client: AsyncTestClient[Litestar], ctx: dict[str, Any], run: Runner) -> None:
    for n in range(count):
        answer = run(deliver(client, fixture("bp_normal", ts=fixture("bp_normal")["data"]["ts"] - 600 - 60 * n)))
        assert answer.json()["status"] == "accepted"
    ctx["no_drain"] = True


@when("the system sends its next few messages")
def one_round(client: AsyncTestClient[Litestar], run: Runner) -> None:
    worker = OutboxWorker(container_of(client.app), batch_size=5, poll_seconds=0)  # far fewer than are waiting
    run(in_app(client, lambda: worker.run_once()))


@when(parsers.parse("Bram's pulse oximeter reads {spo2:d} percent"))
def oximeter_reads(spo2: int, client: AsyncTestClient[Litestar], run: Runner) -> None:
    answer = run(deliver(client, fixture("pulseox", spo2=spo2, pr=72)))
    assert answer.json()["status"] == "accepted"
    run(drain_outbox(client))


@when(parsers.parse("nobody acknowledges the alert for {minutes:d} minutes"))
def nobody_answers(minutes: int, world: World, client: AsyncTestClient[Litestar], run: Runner) -> None:
    for _ in range(minutes // 5):
        world.clock.advance(timedelta(minutes=5))
        run(drain_outbox(client))


@when("Dr. Okafor acknowledges the alert")
def acknowledges(client: AsyncTestClient[Litestar], ctx: dict[str, Any], run: Runner) -> None:
    (alert,) = run(call(client, "GET", "/api/v1/alerts/", ctx["auth"])).json()["items"]
    ctx["alert_id"] = alert["id"]
    run(call(client, "POST", f"/api/v1/alerts/{alert['id']}/acknowledge/", ctx["auth"]))


@when(parsers.parse('Dr. Okafor resolves it noting "{note}"'))
def resolves(note: str, client: AsyncTestClient[Litestar], ctx: dict[str, Any], run: Runner) -> None:
    ctx["note"] = note
    run(call(client, "POST", f"/api/v1/alerts/{ctx['alert_id']}/resolve/", ctx["auth"], {"note": note}))


def _alerts(client: AsyncTestClient[Litestar], world: World, run: Runner) -> list[dict[str, Any]]:
    admin = run(login(client, world, Role.ADMIN))  # a fresh login: the clock may have moved
    alerts: list[dict[str, Any]] = run(call(client, "GET", "/api/v1/alerts/", admin)).json()["items"]
    return alerts


@then(parsers.parse("the care team sees {outcome}"))
def sees(outcome: str, client: AsyncTestClient[Litestar], world: World, run: Runner) -> None:
    expected = OUTCOMES[outcome]
    shown = [(a["rule"], a["severity"]) for a in _alerts(client, world, run)]
    assert shown == ([expected] if expected else [])


@then("Dr. Okafor's phone receives an urgent alert")
def urgent_push(world: World) -> None:
    (push,) = world.notifier.sent
    assert (push.token, push.message.severity) == (PHONE, "critical")


@then("the alert on the phone names no patient and no reading")
def no_phi(world: World) -> None:
    (push,) = world.notifier.sent
    assert set(vars(push.message)) == {"alert_id", "alert_type", "severity", "action_code"}
    assert leaks(repr(push.message), ("Bram", "Holloway", "MRN-2207", "860013045678901"), ("186", "124")) == []


@then(parsers.parse("the alert has been passed on twice"))
def escalated_twice(client: AsyncTestClient[Litestar], world: World, run: Runner) -> None:
    (alert,) = _alerts(client, world, run)
    assert alert["escalation_level"] == 2


@then("the alert is flagged because no administrator can be reached by phone")
def flagged(client: AsyncTestClient[Litestar], world: World, run: Runner) -> None:
    (alert,) = _alerts(client, world, run)
    assert alert["no_push_target"] is True


@then("the alert is resolved with that note")
def resolved(client: AsyncTestClient[Litestar], world: World, ctx: dict[str, Any], run: Runner) -> None:
    (alert,) = _alerts(client, world, run)
    assert (alert["status"], alert["resolution_note"]) == ("resolved", ctx["note"])


@then("the alert records Dr. Okafor as the clinician who acknowledged and resolved it")
def resolved_by_okafor(client: AsyncTestClient[Litestar], world: World, run: Runner) -> None:
    (okafor,) = [u.id for u in world.store.committed.users.values() if u.username == "dr-okafor"]
    (alert,) = _alerts(client, world, run)
    assert (alert["acknowledged_by"], alert["resolved_by"]) == (okafor, okafor)
