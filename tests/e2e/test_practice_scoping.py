"""Clinicians see the patients of their own practice only; administrators see every practice.

Another practice's patient answers 404 (its existence stays hidden), on every patient route.
"""

from __future__ import annotations

from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from domain.users import Role
from tests.support.api import enrol_patient, login
from tests.support.app import deliver, drain_outbox, fixture
from tests.support.world import World

NORTH_CUFF, SOUTH_CUFF = "860013045600001", "860013045600002"


async def _enrol(client: AsyncTestClient[Litestar], admin: dict[str, str], emr_id: str, practice: str,
                 cuff: str) -> dict[str, str]:
    enrolled = await enrol_patient(client, admin, emr_id, cuff, practice_id=practice)
    crisis = fixture("bp_normal", sys=190, dia=125)
    crisis["deviceId"] = crisis["data"]["imei"] = cuff
    reading = (await deliver(client, crisis)).json()
    return {"patient_id": enrolled.patient_id, "device_id": enrolled.device_id, "reading_id": reading["reading_id"]}


@pytest.fixture
async def practices(client: AsyncTestClient[Litestar], world: World) -> dict[str, Any]:
    admin = await login(client, world, Role.ADMIN)
    world.connect("north", "south")
    north = await _enrol(client, admin, "synthetic-patient-0001", "north", NORTH_CUFF)
    south = await _enrol(client, admin, "synthetic-patient-0002", "south", SOUTH_CUFF)
    await drain_outbox(client)
    return {"admin": admin, "north": north, "south": south,
            "clinician": await login(client, world, Role.CLINICIAN, "north")}


async def test_lists_hold_only_the_clinicians_practice(client: AsyncTestClient[Litestar],
                                                       practices: dict[str, Any]) -> None:
    clinician, admin = practices["clinician"], practices["admin"]
    north, south = practices["north"]["patient_id"], practices["south"]["patient_id"]
    listed = (await client.get("/api/v1/patients/", headers=clinician)).json()
    assert ([p["id"] for p in listed["items"]], listed["total"]) == ([north], 1)
    alerts = (await client.get("/api/v1/alerts/", headers=clinician)).json()["items"]
    assert {a["patient_id"] for a in alerts} == {north}
    dashboard = (await client.get("/api/v1/dashboard/", headers=clinician)).json()
    assert (dashboard["patients_monitored"], dashboard["open_alerts"]["critical"]) == (1, 1)
    billing = (await client.get("/api/v1/billing/?month=2026-11", headers=clinician)).json()
    assert {p["patient_id"] for p in billing["patients"]} <= {north}
    everyone = (await client.get("/api/v1/patients/", headers=admin)).json()
    assert {p["id"] for p in everyone["items"]} == {north, south}
    assert (await client.get("/api/v1/dashboard/", headers=admin)).json()["patients_monitored"] == 2


async def test_another_practices_patient_is_not_found_on_every_route(
    client: AsyncTestClient[Litestar], practices: dict[str, Any]
) -> None:
    clinician, south = practices["clinician"], practices["south"]
    patient = south["patient_id"]
    alert_id = (await client.get(f"/api/v1/alerts/?patient_id={patient}", headers=practices["admin"])
                ).json()["items"][0]["id"]
    attempts = [
        ("GET", f"/api/v1/patients/{patient}", None),
        ("GET", f"/api/v1/patients/{patient}/readings", None),
        ("GET", f"/api/v1/patients/{patient}/sync-status", None),
        ("GET", f"/api/v1/patients/{patient}/thresholds/", None),
        ("PUT", f"/api/v1/patients/{patient}/thresholds/", {"thresholds": {"systolic_stage2_from": 150}}),
        ("PUT", f"/api/v1/patients/{patient}/consent/", {"rpm_consent": True}),
        ("POST", f"/api/v1/patients/{patient}/time-entries/", {"minutes": 20, "interactive": True}),
        ("GET", f"/api/v1/reports/patients/{patient}/vitals/?from=2026-11-01T00:00:00Z&to=2026-11-21T00:00:00Z",
         None),
        ("GET", f"/api/v1/readings/{south['reading_id']}/fhir", None),
        ("POST", f"/api/v1/readings/{south['reading_id']}/entered-in-error/", None),
        ("POST", f"/api/v1/alerts/{alert_id}/acknowledge/", None),
        ("POST", f"/api/v1/alerts/{alert_id}/resolve/", {"note": "seen"}),
        ("POST", f"/api/v1/devices/{south['device_id']}/unassign/", None),
        ("POST", f"/api/v1/devices/{practices['north']['device_id']}/assign/", {"patient_id": patient}),
    ]
    for method, path, body in attempts:
        answer = await client.request(method, path, json=body, headers=clinician)
        assert answer.status_code == 404, (method, path, answer.status_code, answer.text)
        assert answer.headers["content-type"].startswith("application/problem+json")


async def test_alerts_are_pushed_to_the_patients_practice_only(
    client: AsyncTestClient[Litestar], world: World
) -> None:
    admin = await login(client, world, Role.ADMIN)
    world.connect("north", "south")
    for practice, phone in (("north", "north-phone-" + "n" * 20), ("south", "south-phone-" + "s" * 20)):
        clinician = await login(client, world, Role.CLINICIAN, practice)
        await client.post("/api/v1/notifications/tokens/", json={"token": phone}, headers=clinician)
    await _enrol(client, admin, "synthetic-patient-0003", "south", SOUTH_CUFF)
    await drain_outbox(client)
    assert {push.token for push in world.notifier.sent} == {"south-phone-" + "s" * 20}


async def test_a_clinician_imports_into_their_own_practice_only(
    client: AsyncTestClient[Litestar], world: World
) -> None:
    clinician = await login(client, world, Role.CLINICIAN, "north")
    world.connect("north", "south")
    elsewhere = await client.post("/api/v1/patients/import_selected_from_ecw/", headers=clinician,
                                  json={"ecw_patient_ids": ["synthetic-patient-0004"], "practice_id": "south"})
    assert elsewhere.status_code in (400, 422)
    own = (await client.post("/api/v1/patients/import_selected_from_ecw/", headers=clinician,
                             json={"ecw_patient_ids": ["synthetic-patient-0004"]})).json()
    patient_id = own["patients"][0]["vantrexia_id"]
    assert world.store.committed.patients[patient_id].practice_id == "north"
