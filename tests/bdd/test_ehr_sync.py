"""Steps for features/ehr_sync.feature: the whole app on the real eCW adapter (VANTREXIA_EMR=ecw) against
the local SMART/FHIR sandbox over HTTP; the sandbox records what really arrived."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import timedelta
from typing import Any

import msgspec
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from pytest_bdd import given, parsers, scenarios, then, when

from entrypoints.sandbox.serve import RunningSandbox, serve_sandbox
from entrypoints.sandbox.state import SandboxState
from tests.bdd.conftest import Runner
from tests.support.api import call, enrol_patient, import_patients, login
from tests.support.app import build_app, deliver, drain_outbox, fixture, settings_for_tests
from tests.support.world import World

scenarios("ehr_sync.feature")

CLIENT_ID = "vantrexia-bdd-practice"  # the id Vantrexia is configured with; the sandbox knows it once registered
SYNC_SCOPES = "system/Patient.read system/Observation.write system/Observation.read"


@pytest.fixture
def trusted_keys() -> list[Mapping[str, Any]]:
    """The public keys eClinicalWorks trusts: nobody's until the practice registers Vantrexia."""
    return []


@pytest.fixture
def sandbox(trusted_keys: list[Mapping[str, Any]]) -> Iterator[RunningSandbox]:
    async def jwks() -> Sequence[Mapping[str, Any]]:
        return trusted_keys

    with serve_sandbox(jwks, state=SandboxState.seeded(0, client_id="nobody-registered")) as running:
        yield running


@pytest.fixture
def app(world: World, sandbox: RunningSandbox) -> Litestar:
    settings = msgspec.structs.replace(
        settings_for_tests(), emr="ecw", ecw_client_id=CLIENT_ID, ecw_environment="staging",
        ecw_practice_code="FFHEDD", ecw_fhir_base_url=sandbox.fhir_base_url, ecw_token_url=sandbox.token_url)
    return build_app(world, settings, fake_emr=False)


@pytest.fixture
def ctx(client: AsyncTestClient[Litestar], world: World, run: Runner) -> dict[str, Any]:
    return {"auth": run(login(client, world))}


@given(parsers.parse("the practice's eClinicalWorks sandbox holds {count:d} patients"))
def sandbox_patients(count: int, sandbox: RunningSandbox) -> None:
    sandbox.state.reset(count, client_id=sandbox.state.client_id)


@given("Vantrexia is registered with eClinicalWorks as a connected application of the practice")
def registered(sandbox: RunningSandbox, trusted_keys: list[Mapping[str, Any]], world: World, run: Runner) -> None:
    sandbox.state.client_id = CLIENT_ID
    trusted_keys[:] = run(world.keys.public_jwks())


def _diagnostic(client: AsyncTestClient[Litestar], ctx: dict[str, Any], run: Runner, path: str) -> dict[str, Any]:
    """Run one of the EMR diagnostics; it answers 200 whatever it found."""
    answer = run(call(client, "POST", path, ctx["auth"]))
    assert answer.status_code == 200, answer.text
    result: dict[str, Any] = answer.json()
    return result


@when("the administrator checks that Vantrexia can sign in to eClinicalWorks")
def checks_sign_in(client: AsyncTestClient[Litestar], ctx: dict[str, Any], run: Runner) -> None:
    ctx["sign_in"] = _diagnostic(client, ctx, run, "/api/v1/ecw/test/jwt/")


@then("eClinicalWorks lets Vantrexia in to read patients and to file and read vital signs")
def signed_in(ctx: dict[str, Any], sandbox: RunningSandbox) -> None:
    answer = ctx["sign_in"]
    assert (answer["status"], answer["token_type"].lower(), answer["scope"]) == ("success", "bearer", SYNC_SCOPES)
    assert answer["token_endpoint"] == sandbox.token_url
    assert sandbox.state.token_requests == 1
    assert not sandbox.state.token_errors


@when("the administrator checks the connection to eClinicalWorks")
def checks_connection(client: AsyncTestClient[Litestar], ctx: dict[str, Any], run: Runner) -> None:
    ctx["connection"] = _diagnostic(client, ctx, run, "/api/v1/ecw/test/connection/")


@then(parsers.parse("the connection works on version {version} of the health-record exchange standard"))
def connection_ok(version: str, ctx: dict[str, Any], sandbox: RunningSandbox) -> None:
    connection = ctx["connection"]
    assert (connection["status"], connection["fhir_version"]) == ("success", version)
    assert connection["fhir_base_url"] == sandbox.fhir_base_url


@then(parsers.parse("eClinicalWorks reports {count:d} test patients"))
def patient_count(count: int, ctx: dict[str, Any]) -> None:
    assert ctx["connection"]["test_patient_count"] == count


@then("eClinicalWorks accepts vital-sign observations")
def accepts_observations(ctx: dict[str, Any]) -> None:
    connection = ctx["connection"]
    assert "Observation.write" in connection["capabilities"]
    assert connection["supports_observation_create"]
    assert connection["supports_conditional_create"]


@when(parsers.parse("the administrator browses page {page:d} of the eClinicalWorks patients, {size:d} at a time"))
def browse(page: int, size: int, client: AsyncTestClient[Litestar], ctx: dict[str, Any], run: Runner) -> None:
    answer = run(call(client, "GET", f"/api/v1/ecw/patients/?page={page}&page_size={size}", ctx["auth"]))
    ctx["listed"] = answer.json()["patients"]


@then(parsers.parse("{count:d} patients are listed with their name, date of birth and MRN"))
def listed(count: int, ctx: dict[str, Any]) -> None:
    assert len(ctx["listed"]) == count
    assert all(p["name"] and p["birth_date"] and p["mrn"] for p in ctx["listed"])


@when(parsers.parse("the administrator imports the first {count:d} of them"))
def import_first(count: int, client: AsyncTestClient[Litestar], ctx: dict[str, Any], run: Runner) -> None:
    ctx["import"] = run(import_patients(client, ctx["auth"], [p["ecw_fhir_id"] for p in ctx["listed"][:count]]))


@then(parsers.parse("{count:d} patients are imported and none skipped"))
def imported(count: int, ctx: dict[str, Any]) -> None:
    assert (ctx["import"]["imported"], ctx["import"]["skipped"], ctx["import"]["errors"]) == (count, 0, [])


@then("each imported patient is linked to their eClinicalWorks record and keeps their MRN")
def linked(ctx: dict[str, Any], sandbox: RunningSandbox) -> None:
    for patient in ctx["import"]["patients"]:
        record = sandbox.state.patients[patient["ecw_fhir_id"]]
        assert patient["mrn"] in {i["value"] for i in record["identifier"]}
        assert patient["vantrexia_id"]


@given("an imported patient has been given a blood-pressure cuff")
def patient_with_cuff(client: AsyncTestClient[Litestar], ctx: dict[str, Any], run: Runner,
                      sandbox: RunningSandbox) -> None:
    ctx["emr_id"] = next(iter(sandbox.state.patients))
    ctx["patient_id"] = run(enrol_patient(client, ctx["auth"], ctx["emr_id"])).patient_id


@given(parsers.parse("eClinicalWorks is unavailable and asks to be tried again in {minutes:d} minutes"))
def unavailable(minutes: int, sandbox: RunningSandbox) -> None:
    sandbox.state.fail_next(503, count=50, retry_after=str(minutes * 60),
                            path_prefix=f"{sandbox.fhir_path}/Observation")


@given("eClinicalWorks will file the next observation but its answer will be lost on the way back")
def answer_lost(sandbox: RunningSandbox) -> None:
    sandbox.state.fail_next(504, after_processing=True, path_prefix=f"{sandbox.fhir_path}/Observation")


@given(parsers.parse("the cuff sends a reading of {sys_:d}/{dia:d} mmHg with a pulse of {pulse:d}"))
@when(parsers.parse("the cuff sends a reading of {sys_:d}/{dia:d} mmHg with a pulse of {pulse:d}"))
def cuff_sends(sys_: int, dia: int, pulse: int, client: AsyncTestClient[Litestar], ctx: dict[str, Any],
               run: Runner) -> None:
    ctx["reading"] = run(deliver(client, fixture("bp_normal", sys=sys_, dia=dia, pul=pulse))).json()
    assert ctx["reading"]["status"] == "accepted"
    run(drain_outbox(client))


@when(parsers.parse("eClinicalWorks is available again and {minutes:d} minutes have passed"))
def available_again(minutes: int, world: World, sandbox: RunningSandbox, client: AsyncTestClient[Litestar],
                    run: Runner) -> None:
    sandbox.state.failures.clear()
    world.clock.advance(timedelta(minutes=minutes, seconds=1))
    run(drain_outbox(client))


@when("sending it to eClinicalWorks is tried again")
def tried_again(world: World, client: AsyncTestClient[Litestar], run: Runner) -> None:
    world.clock.advance(timedelta(minutes=1))  # past the first backoff
    run(drain_outbox(client))


def _observations(sandbox: RunningSandbox, emr_id: str) -> list[dict[str, Any]]:
    return [o for o in sandbox.state.observations.values()
            if o["subject"]["reference"] == f"Patient/{emr_id}"]


def _sync(client: AsyncTestClient[Litestar], ctx: dict[str, Any], run: Runner) -> list[dict[str, Any]]:
    answer = run(call(client, "GET", f"/api/v1/patients/{ctx['patient_id']}/sync-status", ctx["auth"]))
    items: list[dict[str, Any]] = answer.json()["items"]
    return items


@then("eClinicalWorks receives a blood pressure and a heart rate observation for that patient")
def received(ctx: dict[str, Any], sandbox: RunningSandbox) -> None:
    codes = sorted(o["code"]["coding"][0]["code"] for o in _observations(sandbox, ctx["emr_id"]))
    assert codes == ["85354-9", "8867-4"]


@then("the patient's sync history shows both entries filed, each with the reference eClinicalWorks gave it")
def filed_with_references(client: AsyncTestClient[Litestar], ctx: dict[str, Any], run: Runner,
                          sandbox: RunningSandbox) -> None:
    items = _sync(client, ctx, run)
    assert [(i["status"], i["http_status"]) for i in items] == [("delivered", 201)] * 2
    assert {i["emr_resource_id"] for i in items} == {o["id"] for o in _observations(sandbox, ctx["emr_id"])}


@then("the patient's sync history shows both entries waiting to be tried again because eClinicalWorks was "
      "unavailable")
def waiting(client: AsyncTestClient[Litestar], ctx: dict[str, Any], run: Runner) -> None:
    assert [(i["status"], i["http_status"]) for i in _sync(client, ctx, run)] == [("retrying", 503)] * 2


@then("eClinicalWorks holds no observation for that patient yet")
def none_yet(ctx: dict[str, Any], sandbox: RunningSandbox) -> None:
    assert _observations(sandbox, ctx["emr_id"]) == []


@then("eClinicalWorks holds each observation of that reading exactly once")
def exactly_once(ctx: dict[str, Any], sandbox: RunningSandbox) -> None:
    reading_id = ctx["reading"]["reading_id"]
    assert dict(sandbox.state.creates_per_identifier) == {f"{reading_id}-85354-9": 1, f"{reading_id}-8867-4": 1}


@then("the patient's sync history shows both entries as delivered")
def all_delivered(client: AsyncTestClient[Litestar], ctx: dict[str, Any], run: Runner) -> None:
    assert [i["status"] for i in _sync(client, ctx, run)] == ["delivered", "delivered"]


@when("a clinician marks that reading as entered in error")
def entered_in_error(client: AsyncTestClient[Litestar], ctx: dict[str, Any], run: Runner) -> None:
    reading_id = ctx["reading"]["reading_id"]
    answer = run(call(client, "POST", f"/api/v1/readings/{reading_id}/entered-in-error/", ctx["auth"]))
    assert answer.status_code == 202
    run(drain_outbox(client))


@then("eClinicalWorks shows both observations of that reading as entered in error")
def withdrawn_in_emr(ctx: dict[str, Any], sandbox: RunningSandbox) -> None:
    observations = _observations(sandbox, ctx["emr_id"])
    assert len(observations) == 2
    assert {o["status"] for o in observations} == {"entered-in-error"}


@then("the patient's readings show that reading as entered in error")
def shown_withdrawn(client: AsyncTestClient[Litestar], ctx: dict[str, Any], run: Runner) -> None:
    answer = run(call(client, "GET", f"/api/v1/patients/{ctx['patient_id']}/readings", ctx["auth"])).json()
    statuses = {r["id"]: r["status"] for r in answer["items"]}
    assert statuses == {ctx["reading"]["reading_id"]: "entered_in_error"}
