"""The devices, billing and audit pages on the real SQL adapter (SQLite and Postgres): the quarantine and its
release preview, assigning through the form, the billing CSV and the stored audit trail."""

from __future__ import annotations

import re

from litestar import Litestar
from litestar.testing import AsyncTestClient

from domain.users import Role
from tests.support.api import CUFF, import_patient, login_stored
from tests.support.app import deliver, fixture
from tests.support.console import console_sign_in_stored, post_form

Client = AsyncTestClient[Litestar]


async def test_quarantine_assignment_billing_and_audit_on_the_database(sql_client: Client) -> None:
    auth = await login_stored(sql_client, "dr-api")
    patient_id = await import_patient(sql_client, auth, "synthetic-patient-0001")
    assert (await deliver(sql_client, fixture("bp_normal"))).json()["status"] == "quarantined"
    await console_sign_in_stored(sql_client, "console-admin", Role.ADMIN)

    devices = await sql_client.get("/console/devices")
    assert devices.status_code == 200
    assert CUFF in devices.text
    assert "1 readings held" in devices.text
    assert "would release 1 of them" in devices.text
    (device_id,) = set(re.findall(r'href="/console/devices/([0-9a-f-]{36})"', devices.text))

    assigned = await post_form(sql_client, f"/console/devices/{device_id}/assign",
                               {"patient_id": patient_id, "effective_from": "2026-11-20T00:00"},
                               from_page=f"/console/devices/{device_id}")
    assert (assigned.status_code, assigned.headers["location"]) == (303, f"/console/devices/{device_id}")
    readings = (await sql_client.get(f"/api/v1/patients/{patient_id}/readings", headers=auth)).json()
    assert readings["total"] == 1
    assert "No quarantined readings." in (await sql_client.get("/console/devices")).text

    api_csv = await sql_client.get("/api/v1/billing?month=2026-11&format=csv", headers=auth)
    console_csv = await sql_client.get("/console/billing/csv?month=2026-11")
    assert (console_csv.status_code, console_csv.content) == (200, api_csv.content)

    trail = await sql_client.get("/console/audit?action=device.assign")
    assert trail.status_code == 200
    assert trail.text.count("<td>device.assign</td>") == 1
