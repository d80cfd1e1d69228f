"""Many practices, many EMRs, over the API: each practice's readings reach its own EMR; a practice without a
connection is told so (409) and its readings wait for one — never sent to another practice's EMR."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient

from adapters.fakes.emr import FakeEmrGateway
from adapters.fakes.synthetic import synthetic_patients
from domain.emr_connections import NO_CONNECTION, EmrConnection, EmrVendor
from domain.patients import patient_from_emr
from domain.users import Role
from entrypoints.sandbox import SANDBOX_CLIENT_ID
from entrypoints.sandbox.serve import SMART_MODE, serve_sandbox
from entrypoints.sandbox.state import SandboxState
from tests.support.api import CUFF, assign_device, call, enrol_patient, login, register_device
from tests.support.app import build_app, deliver, drain_outbox, fixture, settings_for_tests
from tests.support.world import World

NORTH_CUFF, SOUTH_CUFF = "860013045678902", "860013045678903"
Client = AsyncTestClient[Litestar]


def connection(world: World, practice_id: str) -> EmrConnection:
    now = world.clock.now()
    return EmrConnection(id=f"conn-{practice_id}", practice_id=practice_id, vendor=EmrVendor.SMART,
                         fhir_base_url=f"https://{practice_id}.emr.example/fhir", client_id="vantrexia",
                         created_at=now, updated_at=now)


def reading_from(device: str) -> dict[str, Any]:
    return {**fixture("bp_normal", imei=device), "deviceId": device}


async def sync_items(client: Client, auth: dict[str, str], patient_id: str) -> list[dict[str, Any]]:
    answer = await call(client, "GET", f"/api/v1/patients/{patient_id}/sync-status", auth)
    items: list[dict[str, Any]] = answer.json()["items"]
    return items


async def test_each_practice_reaches_its_own_emr_and_one_without_a_connection_waits(
    client: Client, world: World,
) -> None:
    world.db.emr_connections["conn-north"] = connection(world, "north")
    world.emrs["north"] = FakeEmrGateway(synthetic_patients(3))
    admin = await login(client, world, Role.ADMIN)
    default = await enrol_patient(client, admin, "synthetic-patient-0001")
    north = await enrol_patient(client, admin, "synthetic-patient-0002", NORTH_CUFF, practice_id="north")
    south_patient = patient_from_emr("patient-south", world.emr.patients["synthetic-patient-0003"],
                                     world.clock.now(), "south")
    world.db.patients[south_patient.id] = south_patient  # enrolled before its clinic had an EMR connection
    south_device = await register_device(client, admin, SOUTH_CUFF, practice_id="south")
    await assign_device(client, admin, south_device, south_patient.id)
    for device in (CUFF, NORTH_CUFF, SOUTH_CUFF):
        assert (await deliver(client, reading_from(device))).json()["status"] == "accepted"
    await drain_outbox(client)
    assert {o.draft.emr_patient_id for o in world.emr.observations.values()} == {"synthetic-patient-0001"}
    assert {o.draft.emr_patient_id for o in world.emrs["north"].observations.values()} == {"synthetic-patient-0002"}
    assert "south" not in world.emrs
    waiting = await sync_items(client, admin, south_patient.id)
    assert {(i["status"], i["attempts"], i["last_error"]) for i in waiting} == {("pending", 0, NO_CONNECTION)}
    assert {i["status"] for i in await sync_items(client, admin, default.patient_id)} == {"delivered"}
    assert {i["status"] for i in await sync_items(client, admin, north.patient_id)} == {"delivered"}

    world.db.emr_connections["conn-south"] = connection(world, "south")  # an admin adds the clinic's EMR
    world.clock.advance(timedelta(minutes=1))
    await drain_outbox(client)
    assert {i["status"] for i in await sync_items(client, admin, south_patient.id)} == {"delivered"}
    assert len(world.emrs["south"].observations) == 2
    assert len(world.emr.observations) == len(world.emrs["north"].observations) == 2  # nothing sent elsewhere


async def test_a_practice_without_a_connection_is_told_so_and_no_other_emr_answers(
    client: Client, world: World,
) -> None:
    world.db.emr_connections["conn-north"] = connection(world, "north")
    south = await login(client, world, Role.CLINICIAN, practice_id="south")
    admin = await login(client, world, Role.ADMIN)
    for path in ("/api/v1/ecw/test/jwt/", "/api/v1/ecw/test/connection/"):
        refused = await call(client, "POST", path, south)
        assert (refused.status_code, refused.json()["title"]) == (409, "No EMR connection")
        assert (await call(client, "POST", path + "?practice_id=south", admin)).status_code == 409
        assert (await call(client, "POST", path + "?practice_id=north", south)).status_code == 404
        assert (await call(client, "POST", path + "?practice_id=north", admin)).status_code == 200
    browse = await call(client, "GET", "/api/v1/ecw/patients/", south)
    assert (browse.status_code, browse.headers["content-type"]) == (409, "application/problem+json")
    assert "EMR connection" in browse.json()["detail"]
    bad = await call(client, "POST", "/api/v1/patients/import_selected_from_ecw/", admin,
                     {"ecw_patient_ids": ["synthetic-patient-0001"], "practice_id": "south"})
    assert bad.status_code == 409
    assert world.db.patients == {}


async def test_an_admin_browses_the_named_practices_emr(client: Client, world: World) -> None:
    world.db.emr_connections["conn-north"] = connection(world, "north")
    world.emrs["north"] = FakeEmrGateway(synthetic_patients(3))
    admin = await login(client, world, Role.ADMIN)
    north = (await call(client, "GET", "/api/v1/ecw/patients/?practice_id=north", admin)).json()
    default = (await call(client, "GET", "/api/v1/ecw/patients/", admin)).json()
    assert (north["total"], default["total"]) == (3, 20)
    clinician = await login(client, world, Role.CLINICIAN, practice_id="north")
    assert (await call(client, "GET", "/api/v1/ecw/patients/", clinician)).json()["total"] == 3


async def test_a_clinic_on_a_generic_smart_server_gets_its_readings_through_discovery(world: World) -> None:
    scopes = "system/Patient.read system/Observation.write"  # this clinic's registration grants no more
    with serve_sandbox(world.keys.public_jwks, state=SandboxState.seeded(2)) as ecw_like, \
            serve_sandbox(world.keys.public_jwks, state=SandboxState.seeded(5), paths=SMART_MODE) as smart:
        world.db.emr_connections["conn-north"] = replace(
            connection(world, "north"), fhir_base_url=smart.fhir_base_url, client_id=SANDBOX_CLIENT_ID, scopes=scopes)
        settings = settings_for_tests(emr="ecw", ecw_client_id=SANDBOX_CLIENT_ID, ecw_practice_code="SANDBOX",
                                      ecw_fhir_base_url=ecw_like.fhir_base_url, ecw_token_url=ecw_like.token_url)
        async with AsyncTestClient(app=build_app(world, settings, fake_emr=False)) as client:
            admin = await login(client, world, Role.ADMIN)
            jwt = (await call(client, "POST", "/api/v1/ecw/test/jwt/?practice_id=north", admin)).json()
            assert (jwt["status"], jwt["token_endpoint"], jwt["scope"]) == ("success", smart.token_url, scopes)
            page = (await call(client, "GET", "/api/v1/ecw/patients/?practice_id=north&page_size=5", admin)).json()
            assert page["total"] == 5
            north = await enrol_patient(client, admin, "synthetic-patient-0004", NORTH_CUFF, practice_id="north")
            assert (await deliver(client, reading_from(NORTH_CUFF))).json()["status"] == "accepted"
            assert await drain_outbox(client) == 2
            items = await sync_items(client, admin, north.patient_id)
    assert {(i["status"], i["http_status"]) for i in items} == {("delivered", 201)}
    received = smart.state.received_observations
    assert {o["subject"]["reference"] for o in received} == {"Patient/synthetic-patient-0004"}
    assert ecw_like.state.received_observations == []
    assert smart.state.requests_to("GET", f"{smart.fhir_path}/.well-known/smart-configuration")
    assert set(smart.state.granted_scopes) == {scopes}
    assert smart.state.requests_to("POST", "/oauth/") == []  # the eCW-like path was never guessed
