"""The whole app with VANTREXIA_EMR=sandbox: the real SMART/FHIR adapter over HTTP to the local sandbox."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from entrypoints.sandbox.serve import serve_sandbox
from entrypoints.sandbox.state import SandboxState
from tests.support.api import CUFF, assign_device, import_patients, login, register_device
from tests.support.app import build_app, deliver, drain_outbox, fixture, settings_for_tests
from tests.support.world import World


@pytest.fixture
async def sandbox_client(world: World) -> AsyncIterator[AsyncTestClient[Litestar]]:
    app = build_app(world, settings_for_tests(emr="sandbox", synthetic_patients=12), fake_emr=False)
    async with AsyncTestClient(app=app) as client:
        yield client


async def test_patients_and_observations_go_through_smart_and_fhir(
    sandbox_client: AsyncTestClient[Litestar], world: World
) -> None:
    client = sandbox_client
    auth = await login(client, world)
    jwt = (await client.post("/api/v1/ecw/test/jwt/", headers=auth)).json()
    assert (jwt["status"], jwt["token_type"].lower()) == ("success", "bearer")
    assert jwt["access_token_preview"].endswith("...truncated")
    connection = (await client.post("/api/v1/ecw/test/connection/", headers=auth)).json()
    assert (connection["status"], connection["fhir_version"], connection["test_patient_count"]) == (
        "success", "4.0.1", 12)
    page = (await client.get("/api/v1/ecw/patients/?page=2&page_size=5", headers=auth)).json()
    assert (page["total"], len(page["patients"])) == (12, 5)
    emr_id = page["patients"][0]["ecw_fhir_id"]
    (imported,) = (await import_patients(client, auth, [emr_id]))["patients"]
    assert imported["mrn"]
    patient_id = imported["vantrexia_id"]
    await assign_device(client, auth, await register_device(client, auth, CUFF), patient_id)
    assert (await deliver(client, fixture("bp_normal"))).json()["status"] == "accepted"
    assert await drain_outbox(client) == 2
    items = (await client.get(f"/api/v1/patients/{patient_id}/sync-status", headers=auth)).json()["items"]
    assert {(i["status"], i["http_status"]) for i in items} == {("delivered", 201)}
    assert all(i["emr_resource_id"] for i in items)


async def test_without_smart_the_jwt_test_explains_itself(client: AsyncTestClient[Litestar],
                                                          auth: dict[str, str]) -> None:
    answer = await client.post("/api/v1/ecw/test/jwt/", headers=auth)
    assert answer.status_code == 200
    assert answer.json()["status"] == "error"
    assert "VANTREXIA_EMR" in answer.json()["hint"]


async def test_every_emr_token_request_is_on_the_audit_trail(
    sandbox_client: AsyncTestClient[Litestar], world: World
) -> None:
    auth = await login(sandbox_client, world)
    await sandbox_client.post("/api/v1/ecw/test/jwt/", headers=auth)
    await sandbox_client.post("/api/v1/ecw/test/jwt/", headers=auth)
    tokens = [e for e in world.audit.entries if e.action == "emr.token"]
    assert [(e.actor, e.outcome.value, e.details["http_status"]) for e in tokens] == [
        ("service:emr-token-client", "success", "200")] * 2


async def test_a_refused_token_request_is_audited_as_a_failure(world: World) -> None:
    with serve_sandbox(world.keys.public_jwks, state=SandboxState.seeded(2)) as sandbox:
        settings = settings_for_tests(emr="ecw", ecw_client_id="not-registered-here", ecw_practice_code="FFHEDD",
                                      ecw_fhir_base_url=sandbox.fhir_base_url, ecw_token_url=sandbox.token_url)
        async with AsyncTestClient(app=build_app(world, settings, fake_emr=False)) as client:
            auth = await login(client, world)
            answer = (await client.post("/api/v1/ecw/test/jwt/", headers=auth)).json()
    assert (answer["status"], answer["error"]) == ("error", "invalid_client")
    failures = [e for e in world.audit.entries if e.action == "emr.token"]
    assert [(e.outcome.value, e.details["error"]) for e in failures] == [("failure", "invalid_client")]
