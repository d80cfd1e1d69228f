"""Devices belong to a practice: clinicians see, register, assign and unassign their own practice's only.

Another practice's device answers exactly what a missing id answers (issue 14, defect 1).
"""

from __future__ import annotations

from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from domain.users import Role
from tests.support.api import login, register_device, register_device_answer
from tests.support.app import deliver, fixture
from tests.support.world import World

NORTH_CUFF, SOUTH_CUFF, STRAY_CUFF = "860013045600011", "860013045600012", "860013045600013"
MISSING = "00000000-0000-4000-8000-000000000000"


async def _practice(client: AsyncTestClient[Litestar], world: World, admin: dict[str, str], practice: str,
                    emr_id: str, cuff: str) -> dict[str, Any]:
    """A patient imported into the practice; its clinician registers a cuff and assigns it; one reading."""
    clinician = await login(client, world, Role.CLINICIAN, practice)
    imported = (await client.post("/api/v1/patients/import_selected_from_ecw/", headers=admin,
                                  json={"ecw_patient_ids": [emr_id], "practice_id": practice})).json()
    patient_id = imported["patients"][0]["vantrexia_id"]
    device_id = await register_device(client, clinician, cuff)
    assigned = await client.post(f"/api/v1/devices/{device_id}/assign/", headers=clinician,
                                 json={"patient_id": patient_id, "effective_from": "2026-11-20T00:00:00Z"})
    assert assigned.status_code == 200, assigned.text
    return {"clinician": clinician, "patient_id": patient_id, "device_id": device_id}


@pytest.fixture
async def two(client: AsyncTestClient[Litestar], world: World) -> dict[str, Any]:
    admin = await login(client, world, Role.ADMIN)
    world.connect("north", "south")
    return {"admin": admin,
            "north": await _practice(client, world, admin, "north", "synthetic-patient-0001", NORTH_CUFF),
            "south": await _practice(client, world, admin, "south", "synthetic-patient-0002", SOUTH_CUFF)}


def _cuff_reading(cuff: str, systolic: int) -> dict[str, Any]:
    body = fixture("bp_normal", sys=systolic)
    body["deviceId"] = body["data"]["imei"] = cuff
    return body


def _shape(answer: Any) -> tuple[int, str, dict[str, Any]]:
    body = {k: v for k, v in answer.json().items() if k != "request_id"}
    return answer.status_code, answer.headers["content-type"], body


async def test_a_clinician_cannot_take_over_another_practices_device(
    client: AsyncTestClient[Litestar], world: World, two: dict[str, Any]
) -> None:
    north, south = two["north"], two["south"]
    takeover = await client.post(f"/api/v1/devices/{south['device_id']}/assign/", headers=north["clinician"],
                                 json={"patient_id": north["patient_id"]})
    missing = await client.post(f"/api/v1/devices/{MISSING}/assign/", headers=north["clinician"],
                                json={"patient_id": north["patient_id"]})
    assert takeover.status_code == 404
    assert _shape(takeover) == _shape(missing)
    reading = (await deliver(client, _cuff_reading(SOUTH_CUFF, 131))).json()
    assert world.store.committed.readings[reading["reading_id"]].patient_id == south["patient_id"]
    history = (await client.get(f"/api/v1/devices/{south['device_id']}", headers=two["admin"])).json()
    assert [(a["patient_id"], a["ended_at"]) for a in history["assignments"]] == [(south["patient_id"], None)]


async def test_another_practices_device_is_not_found_on_every_device_route(
    client: AsyncTestClient[Litestar], two: dict[str, Any]
) -> None:
    north, south = two["north"], two["south"]
    await client.post(f"/api/v1/devices/{south['device_id']}/unassign/", headers=south["clinician"])
    for method, path, body in [
        ("GET", "/api/v1/devices/{}", None),
        ("POST", "/api/v1/devices/{}/unassign/", None),
        ("POST", "/api/v1/devices/{}/assign/", {"patient_id": north["patient_id"]}),
    ]:
        theirs = await client.request(method, path.format(south["device_id"]), json=body, headers=north["clinician"])
        missing = await client.request(method, path.format(MISSING), json=body, headers=north["clinician"])
        assert (theirs.status_code, _shape(theirs)) == (404, _shape(missing)), (method, path, theirs.text)
    listed = (await client.get("/api/v1/devices/", headers=north["clinician"])).json()
    assert ([d["id"] for d in listed["items"]], listed["total"]) == ([north["device_id"]], 1)
    everything = (await client.get("/api/v1/devices/", headers=two["admin"])).json()
    assert {d["id"] for d in everything["items"]} == {north["device_id"], south["device_id"]}


async def test_a_clinician_may_not_assign_their_device_to_another_practices_patient(
    client: AsyncTestClient[Litestar], two: dict[str, Any]
) -> None:
    north, south = two["north"], two["south"]
    foreign = await client.post(f"/api/v1/devices/{north['device_id']}/assign/", headers=north["clinician"],
                                json={"patient_id": south["patient_id"]})
    missing = await client.post(f"/api/v1/devices/{north['device_id']}/assign/", headers=north["clinician"],
                                json={"patient_id": MISSING})
    assert (foreign.status_code, _shape(foreign)) == (404, _shape(missing))
    admin = await client.post(f"/api/v1/devices/{north['device_id']}/assign/", headers=two["admin"],
                              json={"patient_id": south["patient_id"]})
    assert admin.status_code == 409, admin.text


async def test_a_device_first_seen_unregistered_is_nobodys_until_a_clinician_registers_it(
    client: AsyncTestClient[Litestar], two: dict[str, Any]
) -> None:
    north = two["north"]
    await deliver(client, _cuff_reading(STRAY_CUFF, 120))
    stray = [d for d in (await client.get("/api/v1/devices/", headers=two["admin"])).json()["items"]
             if d["registered_at"] is None]
    assert len(stray) == 1
    unseen = await client.get(f"/api/v1/devices/{stray[0]['id']}", headers=north["clinician"])
    assert unseen.status_code == 404
    registered = await register_device_answer(client, north["clinician"], STRAY_CUFF)
    assert (registered.status_code, registered.json()["id"]) == (201, stray[0]["id"])
    listed = (await client.get("/api/v1/devices/", headers=north["clinician"])).json()["items"]
    assert {d["id"] for d in listed} == {north["device_id"], stray[0]["id"]}


async def test_a_practice_is_named_at_registration_by_admins_only(
    client: AsyncTestClient[Litestar], two: dict[str, Any]
) -> None:
    north, south = two["north"], two["south"]
    named = await register_device_answer(client, north["clinician"], STRAY_CUFF, practice_id="south")
    assert named.status_code == 404
    by_admin = (await register_device_answer(client, two["admin"], STRAY_CUFF, practice_id="south")).json()
    assert (await client.get(f"/api/v1/devices/{by_admin['id']}", headers=south["clinician"])).status_code == 200
    assert (await client.get(f"/api/v1/devices/{by_admin['id']}", headers=north["clinician"])).status_code == 404


async def test_a_repeat_registration_names_the_device_only_to_those_who_may_see_it(
    client: AsyncTestClient[Litestar], two: dict[str, Any]
) -> None:
    north = two["north"]
    theirs = await register_device_answer(client, north["clinician"], SOUTH_CUFF)
    assert theirs.status_code == 409
    assert "id" not in theirs.json()
    assert "location" not in theirs.headers
    by_admin = await register_device_answer(client, two["admin"], SOUTH_CUFF)
    assert (by_admin.status_code, by_admin.json()["id"]) == (409, two["south"]["device_id"])
    own = await register_device_answer(client, north["clinician"], NORTH_CUFF)
    assert (own.status_code, own.headers["location"]) == (409, f"/api/v1/devices/{north['device_id']}")


async def test_the_gateway_id_finds_a_device_within_the_practice_only(
    client: AsyncTestClient[Litestar], two: dict[str, Any]
) -> None:
    north, south = two["north"], two["south"]
    query = f"/api/v1/devices/?gateway_device_id={SOUTH_CUFF}"
    hidden = (await client.get(query, headers=north["clinician"])).json()
    assert (hidden["total"], hidden["items"]) == (0, [])
    assert [d["id"] for d in (await client.get(query, headers=south["clinician"])).json()["items"]] == [
        south["device_id"]]
    assert [d["id"] for d in (await client.get(query, headers=two["admin"])).json()["items"]] == [south["device_id"]]
