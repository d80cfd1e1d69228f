"""The provider API over HTTP: authentication, EMR import, patients, devices, sync status."""

from __future__ import annotations

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from domain.ports.emr import EmrRejected
from domain.users import Role
from tests.support.api import CUFF, add_user, enrol_patient, login, register_device, register_device_answer
from tests.support.app import deliver, drain_outbox, fixture
from tests.support.world import World

Client = AsyncTestClient[Litestar]

PROTECTED = [
    ("GET", "/api/v1/ecw/patients/"),
    ("POST", "/api/v1/patients/import_selected_from_ecw/"),
    ("GET", "/api/v1/patients/"),
    ("GET", "/api/v1/patients/some-id"),
    ("GET", "/api/v1/patients/some-id/readings"),
    ("GET", "/api/v1/patients/some-id/sync-status"),
    ("POST", "/api/v1/devices/"),
    ("POST", "/api/v1/devices/some-id/assign/"),
    ("POST", "/api/v1/devices/some-id/unassign/"),
    ("GET", "/api/v1/readings/some-id/fhir"),
]


@pytest.mark.parametrize(("method", "path"), PROTECTED)
async def test_every_data_route_needs_a_bearer_token(client: Client, method: str, path: str) -> None:
    missing = await client.request(method, path)
    forged = await client.request(method, path, headers={"Authorization": "Bearer not.a.token"})
    for response in (missing, forged):
        assert response.status_code == 401
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.headers["www-authenticate"] == "Bearer"


async def test_public_routes_need_no_token(client: Client) -> None:
    never_sent = {"practice_id": "default", "last_success_at": None, "last_failure_at": None,
                  "last_failure": None, "last_failure_http_status": None, "backlog": 0}
    assert (await client.get("/health")).json() == {"status": "ok", "database": "ok", "signing_key_age_days": 0,
                                                    "key_rotation_due": False, "emr_connections": [never_sent]}
    jwks = await client.get("/.well-known/jwks.json")
    assert jwks.status_code == 200
    assert "max-age=" in jwks.headers["cache-control"]
    (key,) = jwks.json()["keys"]
    assert (key["kty"], key["alg"]) == ("RSA", "RS384")
    assert "d" not in key
    schema = await client.get("/schema/openapi.json")
    assert schema.status_code == 200
    assert "/api/v1/webhooks/mioconnect/telemetry" in schema.json()["paths"]


async def test_login_gives_a_bearer_token_and_wrong_password_a_problem(client: Client, world: World) -> None:
    username, password = add_user(world, "dr-okafor", Role.ADMIN)
    good = await client.post("/api/v1/auth/token", json={"username": username, "password": password})
    assert good.status_code == 200
    assert (good.json()["token_type"], good.json()["expires_in"]) == ("bearer", 900)
    bad = await client.post("/api/v1/auth/token", json={"username": username, "password": "wrong-password!"})
    unknown = await client.post("/api/v1/auth/token", json={"username": "nobody", "password": "x" * 12})
    assert bad.status_code == unknown.status_code == 401
    assert bad.json()["detail"] == unknown.json()["detail"]


async def test_browse_and_import_emr_patients(client: Client, auth: dict[str, str]) -> None:
    page = (await client.get("/api/v1/ecw/patients/?page=2&page_size=5", headers=auth)).json()
    assert (page["page"], page["page_size"], page["total"]) == (2, 5, 20)
    assert set(page["patients"][0]) == {"ecw_fhir_id", "name", "birth_date", "mrn"}
    ids = [p["ecw_fhir_id"] for p in page["patients"][:2]]
    first = await client.post("/api/v1/patients/import_selected_from_ecw/",
                              json={"ecw_patient_ids": [*ids, "no-such-patient"]}, headers=auth)
    body = first.json()
    assert (body["imported"], body["skipped"]) == (2, 0)
    assert body["errors"] == [{"ecw_fhir_id": "no-such-patient", "error": "patient not found in the EMR"}]
    assert set(body["patients"][0]) == {"vantrexia_id", "ecw_fhir_id", "name", "mrn"}
    again = (await client.post("/api/v1/patients/import_selected_from_ecw/",
                               json={"ecw_patient_ids": ids}, headers=auth)).json()
    assert (again["imported"], again["skipped"]) == (0, 2)


async def test_bad_requests_get_problem_details(client: Client, auth: dict[str, str]) -> None:
    empty = await client.post("/api/v1/patients/import_selected_from_ecw/", json={"ecw_patient_ids": []},
                              headers=auth)
    assert empty.status_code == 422  # fails the body's declared schema
    assert empty.headers["content-type"].startswith("application/problem+json")
    assert empty.json()["errors"][0]["source"] == "body"
    malformed = await client.post("/api/v1/patients/import_selected_from_ecw/", content=b"{not json",
                                  headers={**auth, "content-type": "application/json"})
    assert malformed.status_code == 400
    too_big_page = await client.get("/api/v1/ecw/patients/?page_size=1000", headers=auth)
    assert too_big_page.status_code == 422
    for patient_id in ("00000000-0000-4000-8000-00000000ffff", "not-a-uuid"):
        missing = await client.get(f"/api/v1/patients/{patient_id}", headers=auth)
        assert missing.status_code == 404
        assert missing.json()["title"] == "Not found"


async def test_patient_detail_lists_assigned_devices_and_trailing_slash_works(
    client: Client, auth: dict[str, str]
) -> None:
    ids = await enrol_patient(client, auth)
    for path in (f"/api/v1/patients/{ids.patient_id}", f"/api/v1/patients/{ids.patient_id}/"):
        detail = await client.get(path, headers=auth)
        assert detail.status_code == 200
        assert detail.json()["devices"][0]["device_id"] == ids.device_id
    listing = (await client.get("/api/v1/patients", headers=auth)).json()
    assert listing["total"] == 1


async def test_registering_a_device_twice_answers_the_existing_device(client: Client, auth: dict[str, str]) -> None:
    registered = await register_device_answer(client, auth, CUFF, "TMB-2091-G")
    assert registered.status_code == 201
    device = registered.json()
    assert (device["gateway_device_id"], device["model_number"]) == (CUFF, "TMB-2091-G")
    again = await register_device_answer(client, auth, CUFF, "TMB-2091-G")
    assert again.status_code == 409
    assert again.headers["content-type"].startswith("application/problem+json")
    assert again.json()["id"] == device["id"]
    assert again.headers["location"] == f"/api/v1/devices/{device['id']}"
    assert (await client.get(again.headers["location"], headers=auth)).json()["gateway_device_id"] == CUFF


async def test_a_device_is_found_by_its_gateway_id(client: Client, auth: dict[str, str]) -> None:
    device_id = await register_device(client, auth, CUFF)
    await register_device(client, auth, "860013045670002", "TMB-2091-G")
    found = (await client.get(f"/api/v1/devices/?gateway_device_id={CUFF}", headers=auth)).json()
    assert (found["total"], [d["id"] for d in found["items"]]) == (1, [device_id])
    unknown = (await client.get("/api/v1/devices/?gateway_device_id=860013045670099", headers=auth)).json()
    assert (unknown["total"], unknown["items"]) == (0, [])


async def test_registration_names_the_gateway_id_for_what_it_is(client: Client, auth: dict[str, str]) -> None:
    old = await client.post("/api/v1/devices/", json={"device_id": CUFF, "model_number": "TMB-2091-G"}, headers=auth)
    assert old.status_code == 422  # `device_id` is our id only; the gateway's id is `gateway_device_id`


async def test_reading_reaches_the_emr_and_sync_status_shows_it(
    app: Litestar, client: Client, auth: dict[str, str], world: World
) -> None:
    ids = await enrol_patient(client, auth)
    reading_id = (await deliver(client, fixture("bp_normal"))).json()["reading_id"]
    pending = (await client.get(f"/api/v1/patients/{ids.patient_id}/sync-status", headers=auth)).json()
    assert {i["status"] for i in pending["items"]} == {"pending"}

    assert await drain_outbox(client) == 2

    status = (await client.get(f"/api/v1/patients/{ids.patient_id}/sync-status", headers=auth)).json()
    assert status["patient_id"] == ids.patient_id
    assert {(i["code"], i["status"], i["http_status"]) for i in status["items"]} == {
        ("85354-9", "delivered", 201), ("8867-4", "delivered", 201)}
    assert all(i["emr_resource_id"] and i["attempts"] == 1 for i in status["items"])
    assert sorted(world.emr.observations) == [f"{reading_id}-85354-9", f"{reading_id}-8867-4"]

    readings = (await client.get(f"/api/v1/patients/{ids.patient_id}/readings", headers=auth)).json()
    values = readings["items"][0]["values"]
    assert values["systolic"] == {"value": 128, "unit": "mm[Hg]"}
    assert readings["items"][0]["measured_at"].endswith("-05:00")

    bundle = await client.get(f"/api/v1/readings/{reading_id}/fhir", headers=auth)
    assert bundle.headers["content-type"].startswith("application/fhir+json")
    assert bundle.json()["type"] == "collection"
    assert len(bundle.json()["entry"]) == 2


async def test_errors_leak_no_stack_traces(client: Client, auth: dict[str, str], world: World) -> None:
    world.emr.down = True
    response = await client.get("/api/v1/ecw/patients/", headers=auth)
    assert response.status_code in (502, 503)
    assert "Traceback" not in response.text


async def test_an_admin_can_send_a_dead_item_again(client: Client, auth: dict[str, str], world: World) -> None:
    ids = await enrol_patient(client, auth)
    world.emr.fail_next(EmrRejected("Observation.performer: unknown reference", http_status=422))
    await deliver(client, fixture("bp_normal"))
    await drain_outbox(client)
    status_path = f"/api/v1/patients/{ids.patient_id}/sync-status"
    (item,) = [i for i in (await client.get(status_path, headers=auth)).json()["items"] if i["status"] == "dead"]
    assert (item["status"], item["last_error"]) == ("dead", "Observation.performer: unknown reference")
    assert (await client.post(f"/api/v1/sync/{item['id']}/retry/", headers=auth)).status_code == 403
    admin = await login(client, world, Role.ADMIN)
    retried = await client.post(f"/api/v1/sync/{item['id']}/retry/", headers=admin)
    assert (retried.status_code, retried.json()["status"]) == (200, "pending")
    assert (await client.post(f"/api/v1/sync/{item['id']}/retry/", headers=admin)).status_code == 409
    await drain_outbox(client)
    items = (await client.get(status_path, headers=admin)).json()["items"]
    statuses = {i["id"]: (i["status"], i["http_status"]) for i in items}
    assert statuses[item["id"]] == ("delivered", 201)
