"""`/api/v1/emr/connections/`: administrators keep each practice's EMR connection; a secret goes to the key
store and never comes back out (nor into the audit trail); one connection per practice; bad fields 422."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import datetime, timedelta
from typing import Any

import trustme
from litestar import Litestar
from litestar.testing import AsyncTestClient

from domain.users import Role
from tests.support.api import call, login
from tests.support.world import World

SECRET = "issued-by-the-clinic-emr-5b1f"
PIN = base64.b64encode(hashlib.sha256(b"the clinic's leaf key").digest()).decode()
NORTH: dict[str, Any] = {
    "practice_id": "clinic-north", "vendor": "smart", "fhir_base_url": "https://fhir.clinic-north.example/r4",
    "client_id": "vantrexia-north", "scopes": "system/Patient.read system/Observation.write",
    "rate_limit_per_minute": 120, "max_in_flight": 4, "tls_pins": [PIN], "active": True,
}
ANSWER_KEYS = {
    "id", "source", "practice_id", "vendor", "fhir_base_url", "token_url", "client_id", "scopes", "practice_code",
    "rate_limit_per_minute", "max_in_flight", "tls_pins", "ca_bundle_pem", "active", "has_client_secret",
    "version", "created_at", "updated_at",
}
COLLECTION = "/api/v1/emr/connections/"


async def _admin(client: AsyncTestClient[Litestar], world: World) -> dict[str, str]:
    return await login(client, world, Role.ADMIN, username="it-admin")


async def test_an_admin_adds_a_connection_whose_secret_stays_in_the_key_store(
    client: AsyncTestClient[Litestar], world: World,
) -> None:
    admin = await _admin(client, world)
    added = await call(client, "POST", COLLECTION, admin, {**NORTH, "client_secret": SECRET})
    assert added.status_code == 201, added.text
    body = added.json()
    assert set(body) == ANSWER_KEYS
    assert added.headers["location"] == f"/api/v1/emr/connections/{body['id']}"
    assert {key: body[key] for key in NORTH} == NORTH
    assert (body["source"], body["has_client_secret"], body["version"], body["token_url"]) == ("stored", True, 1, None)
    assert world.keys.secrets[f"emr-client-secret-{body['id']}"] == SECRET
    fetched = await call(client, "GET", added.headers["location"], admin)
    assert fetched.json() == body
    listed = (await call(client, "GET", COLLECTION, admin)).json()
    everything = json.dumps([body, fetched.json(), listed, [e.details for e in world.audit.entries]])
    assert SECRET not in everything
    (entry,) = [e for e in world.audit.entries if e.action == "emr.connection.add"]
    assert entry.resource_type == "EmrConnection"
    assert entry.resource_ids == (body["id"],)
    assert entry.details["practice_id"] == "clinic-north"
    assert entry.details["vendor"] == "smart"
    assert entry.details["client_secret_written"] == "true"
    assert set(entry.details["fields"].split(",")) == {*NORTH, "scopes"}


async def test_the_list_shows_the_settings_connection_of_the_default_practice(
    client: AsyncTestClient[Litestar], world: World,
) -> None:
    admin = await _admin(client, world)
    await call(client, "POST", COLLECTION, admin, NORTH)
    listed = await call(client, "GET", COLLECTION, admin)
    assert listed.status_code == 200
    page = listed.json()
    assert (page["page"], page["total"]) == (1, 2)
    assert [(c["practice_id"], c["source"]) for c in page["items"]] == [("clinic-north", "stored"),
                                                                        ("default", "settings")]
    settings = await call(client, "GET", f"{COLLECTION}settings", admin)
    assert (settings.json()["id"], settings.json()["source"]) == ("settings", "settings")
    second_page = (await call(client, "GET", f"{COLLECTION}?page=2&page_size=1", admin)).json()
    assert [c["practice_id"] for c in second_page["items"]] == ["default"]


async def test_one_connection_per_practice_and_none_stored_over_the_settings(
    client: AsyncTestClient[Litestar], world: World,
) -> None:
    admin = await _admin(client, world)
    first = (await call(client, "POST", COLLECTION, admin, NORTH)).json()
    again = await call(client, "POST", COLLECTION, admin, {**NORTH, "client_id": "another"})
    assert again.status_code == 409
    assert again.headers["content-type"].startswith("application/problem+json")
    assert again.json()["id"] == first["id"]
    assert again.headers["location"] == f"/api/v1/emr/connections/{first['id']}"
    over_settings = await call(client, "POST", COLLECTION, admin, {**NORTH, "practice_id": "default"})
    assert over_settings.status_code == 409
    assert "ECW_* settings" in over_settings.json()["detail"]
    assert over_settings.json()["id"] == "settings"
    put_settings = await call(client, "PUT", f"{COLLECTION}settings", admin, {**NORTH, "practice_id": "default"})
    assert put_settings.status_code == 409
    assert "set by the ECW_* settings" in put_settings.json()["detail"]
    assert list(world.db.emr_connections) == [first["id"]]


async def test_put_replaces_the_fields_and_the_version_grows(client: AsyncTestClient[Litestar], world: World) -> None:
    admin = await _admin(client, world)
    first = (await call(client, "POST", COLLECTION, admin, {**NORTH, "client_secret": SECRET})).json()
    world.clock.advance(timedelta(minutes=5))
    changed = await call(client, "PUT", f"{COLLECTION}{first['id']}/", admin,
                         {**NORTH, "max_in_flight": 2, "active": False, "tls_pins": []})
    assert changed.status_code == 200, changed.text
    body = changed.json()
    assert (body["version"], body["max_in_flight"], body["active"], body["tls_pins"]) == (2, 2, False, [])
    assert (body["id"], body["created_at"]) == (first["id"], first["created_at"])
    assert datetime.fromisoformat(body["updated_at"]) - datetime.fromisoformat(first["updated_at"]) == timedelta(
        minutes=5)
    assert body["has_client_secret"] is True  # no secret in the body: the stored one stays
    assert body["scopes"] == NORTH["scopes"]
    again = (await call(client, "PUT", f"{COLLECTION}{first['id']}", admin, {**NORTH, "client_secret": "rotated"}))
    assert again.json()["version"] == 3
    assert world.keys.secrets[f"emr-client-secret-{first['id']}"] == "rotated"
    changes = [e for e in world.audit.entries if e.action == "emr.connection.change"]
    assert [e.details["fields"] for e in changes] == ["max_in_flight,tls_pins,active", "max_in_flight,tls_pins,active"]
    assert [e.details["client_secret_written"] for e in changes] == ["false", "true"]
    assert all("rotated" not in json.dumps(dict(e.details)) for e in world.audit.entries)
    missing = await call(client, "PUT", f"{COLLECTION}no-such-connection", admin, NORTH)
    assert missing.status_code == 404


async def test_bad_fields_are_422_problems_naming_the_field(client: AsyncTestClient[Litestar], world: World) -> None:
    admin = await _admin(client, world)
    bad = {
        "practice_id": "clinic north", "tls_pins": ["not-a-pin"], "ca_bundle_pem": "no certificate here",
        "fhir_base_url": "https://fhir.example/r4?x=1", "practice_code": "FFHEDD", "scopes": "a  b",
        "token_url": "ftp://oauth.example/token",
    }
    for field, value in bad.items():
        answer = await call(client, "POST", COLLECTION, admin, {**NORTH, field: value})
        assert answer.status_code == 422, (field, answer.text)
        assert answer.headers["content-type"].startswith("application/problem+json")
        assert [error["key"] for error in answer.json()["errors"]] == [field]
    for field, value in {"vendor": "epic", "max_in_flight": 0, "client_secret": ""}.items():
        answer = await call(client, "POST", COLLECTION, admin, {**NORTH, field: value})
        assert answer.status_code == 422, (field, answer.text)
        assert field in json.dumps(answer.json())
    good = await call(client, "POST", COLLECTION, admin,
                      {**NORTH, "vendor": "ecw", "practice_code": "FFHEDD",
                       "ca_bundle_pem": trustme.CA().cert_pem.bytes().decode()})
    assert good.status_code == 201, good.text
    assert world.db.emr_connections.keys() == {good.json()["id"]}


async def test_clinicians_may_not_read_or_change_connections(client: AsyncTestClient[Litestar], world: World) -> None:
    admin = await _admin(client, world)
    first = (await call(client, "POST", COLLECTION, admin, NORTH)).json()
    clinician = await login(client, world, Role.CLINICIAN, practice_id="clinic-north")
    for method, path, body in (("GET", COLLECTION, None), ("POST", COLLECTION, NORTH),
                               ("GET", f"{COLLECTION}{first['id']}", None),
                               ("PUT", f"{COLLECTION}{first['id']}", NORTH)):
        assert (await call(client, method, path, clinician, body)).status_code == 403
