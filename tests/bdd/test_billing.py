"""Steps for features/billing.feature, driven through the HTTP API on fakes."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from pytest_bdd import given, parsers, scenarios, then

from domain.patients import EmrPatient
from tests.bdd.conftest import Runner
from tests.support.api import call, enrol_patient, login
from tests.support.app import deliver, fixture
from tests.support.world import World

scenarios("billing.feature")

EPISODE = datetime(2026, 11, 1, tzinfo=UTC)


@pytest.fixture
def ctx(client: AsyncTestClient[Litestar], world: World, run: Runner) -> dict[str, Any]:
    world.clock.set(datetime(2026, 12, 5, 12, 0, tzinfo=UTC))  # November's periods have ended
    return {"auth": run(login(client, world))}


@given(parsers.parse("{name} has been monitored at home since 1 November 2026"))
def monitored(name: str, world: World, client: AsyncTestClient[Litestar], ctx: dict[str, Any], run: Runner) -> None:
    world.emr.patients["emr-dario"] = EmrPatient("emr-dario", name, None, "MRN-3141")
    enrolled = run(enrol_patient(client, ctx["auth"], "emr-dario", effective_from=EPISODE.isoformat()))
    ctx["patient_id"] = enrolled.patient_id


@given("Dario has given consent to remote monitoring")
def consent(client: AsyncTestClient[Litestar], ctx: dict[str, Any], run: Runner) -> None:
    answer = run(call(client, "PUT", f"/api/v1/patients/{ctx['patient_id']}/consent/", ctx["auth"],
                      {"rpm_consent": True, "recorded_at": "2026-10-28T15:00:00Z"}))
    assert answer.status_code == 200


@given(parsers.parse("Dario took readings on {days:d} days of the 30-day period"))
def readings(days: int, client: AsyncTestClient[Litestar], run: Runner) -> None:
    for day in range(days):
        ts = int((EPISODE + timedelta(days=day, hours=14)).timestamp())
        assert run(deliver(client, fixture("bp_normal", ts=ts))).json()["status"] == "accepted"


@given(parsers.parse("{minutes:d} minutes of care management were logged in November 2026, "
                     "{kind} an interactive conversation"))
def management(minutes: int, kind: str, client: AsyncTestClient[Litestar], ctx: dict[str, Any],
               run: Runner) -> None:
    answer = run(call(client, "POST", f"/api/v1/patients/{ctx['patient_id']}/time-entries/", ctx["auth"],
                      {"minutes": minutes, "interactive": kind == "including", "performed_on": "2026-11-12"}))
    assert answer.status_code == 201


def _billing(client: AsyncTestClient[Litestar], ctx: dict[str, Any], run: Runner) -> dict[str, Any]:
    (patient,) = run(call(client, "GET", "/api/v1/billing/?month=2026-11", ctx["auth"])).json()["patients"]
    result: dict[str, Any] = patient
    return result


def _expected(codes: str) -> dict[str, int]:
    if codes == "nothing":
        return {}
    expected = {}
    for part in codes.split(" and "):
        code, _, units = part.partition(" x")
        expected[code] = int(units or 1)
    return expected


@then(parsers.parse("the November 2026 billing shows {codes}"))
def shows(codes: str, client: AsyncTestClient[Litestar], ctx: dict[str, Any], run: Runner) -> None:
    billed = {c["code"]: c["units"] for c in _billing(client, ctx, run)["codes"]}
    assert billed == _expected(codes)


@then("the billing explains that consent is missing")
def consent_missing(client: AsyncTestClient[Litestar], ctx: dict[str, Any], run: Runner) -> None:
    reasons = [n["reason"] for n in _billing(client, ctx, run)["not_billable"]]
    assert reasons
    assert all("consent" in reason for reason in reasons)


@then(parsers.parse("the November 2026 billing export lists {codes} for Dario"))
def exported(codes: str, client: AsyncTestClient[Litestar], ctx: dict[str, Any], run: Runner) -> None:
    answer = run(call(client, "GET", "/api/v1/billing/?month=2026-11&format=csv", ctx["auth"]))
    assert answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    assert {r["code"] for r in rows} == set(_expected(codes))
    assert {r["mrn"] for r in rows} == {"MRN-3141"}
