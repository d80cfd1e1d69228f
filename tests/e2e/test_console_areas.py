"""The devices, billing, EMR and audit pages through the test client: admin-only pages, CSRF on every form,
another practice's device as the 404 page, form errors re-rendered, the billing CSV as the API's file."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import httpx
import trustme
from litestar import Litestar
from litestar.testing import AsyncTestClient

from domain.audit import AuditEntry, AuditOutcome
from domain.delivery_health import ConnectionHealth
from domain.emr_connections import EmrConnection, EmrVendor
from domain.users import Role
from tests.support.api import CUFF, call, enrol_patient, login, register_device
from tests.support.console import console_sign_in, post_form
from tests.support.world import FIXTURE_TIME, World

Client = AsyncTestClient[Litestar]


async def form(client: Client, path: str, fields: dict[str, str] | None = None, *, csrf: bool = True,
               from_page: str = "/console/devices") -> httpx.Response:
    """Post a console form as the browser would from `from_page` (without its CSRF token when `csrf` is off)."""
    if csrf:
        return await post_form(client, path, fields or {}, from_page)
    return await client.post(path, data=fields or {}, follow_redirects=False)


async def test_emr_and_audit_pages_are_for_admins_only(client: Client, world: World) -> None:
    await console_sign_in(client, world, Role.CLINICIAN)
    for path in ("/console/emr", "/console/audit"):
        refused = await client.get(path)
        assert refused.status_code == 403
        assert "text/html" in refused.headers["content-type"]
    tested = await form(client, "/console/emr/settings/test-token", from_page="/console/")
    assert tested.status_code == 403
    assert not [e for e in world.audit.entries if e.action.startswith("emr.")]
    client.cookies.clear()
    await console_sign_in(client, world, Role.ADMIN)
    assert [(await client.get(path)).status_code for path in ("/console/emr", "/console/audit")] == [200, 200]


async def test_forms_without_the_csrf_token_are_refused_and_change_nothing(client: Client, world: World) -> None:
    auth = await login(client, world)
    enrolled = await enrol_patient(client, auth)
    await console_sign_in(client, world)
    posts = [("/console/devices", {"gateway_device_id": "860000000000042", "model_number": "TMB-2092-G"}),
             (f"/console/devices/{enrolled.device_id}/assign", {"patient_id": enrolled.patient_id}),
             (f"/console/devices/{enrolled.device_id}/unassign", {})]
    for path, fields in posts:
        assert (await form(client, path, fields, csrf=False)).status_code == 403
    assert len(world.db.devices) == 1
    assert [a.active for a in world.db.assignments.values()] == [True]


async def test_another_practices_device_is_the_not_found_page(client: Client, world: World) -> None:
    north = await login(client, world, practice_id="north")
    device_id = await register_device(client, north)
    await console_sign_in(client, world, practice="south")
    theirs, missing = await client.get(f"/console/devices/{device_id}"), await client.get("/console/devices/nope")
    assert (theirs.status_code, missing.status_code) == (404, 404)
    assert _main(theirs.text) == _main(missing.text)
    assigned = await form(client, f"/console/devices/{device_id}/unassign", from_page="/console/devices")
    assert assigned.status_code == 404
    listing = await client.get("/console/devices")
    assert device_id not in listing.text


async def test_form_errors_re_render_the_page_with_the_reason(client: Client, world: World) -> None:
    auth = await login(client, world)
    device_id = await register_device(client, auth)
    await console_sign_in(client, world)
    empty = await form(client, "/console/devices", {"gateway_device_id": " ", "model_number": ""})
    again = await form(client, "/console/devices", {"gateway_device_id": CUFF, "model_number": "TMB-2092-G"})
    nobody = await form(client, f"/console/devices/{device_id}/assign", {"patient_id": ""})
    garbled = await form(client, f"/console/devices/{device_id}/assign",
                         {"patient_id": "x", "effective_from": "yesterday"})
    assert [r.status_code for r in (empty, again, nobody, garbled)] == [422, 409, 422, 422]
    assert "Enter the gateway device ID and the model." in empty.text
    assert f'href="/console/devices/{device_id}"' in again.text
    assert "Choose the patient." in nobody.text
    assert "Effective from must be a date and time" in garbled.text
    assert world.db.assignments == {}


async def test_the_console_csv_is_the_apis_billing_file(client: Client, world: World) -> None:
    auth = await login(client, world)
    enrolled = await enrol_patient(client, auth)
    await call(client, "PUT", f"/api/v1/patients/{enrolled.patient_id}/consent", auth, {"rpm_consent": True})
    await call(client, "POST", f"/api/v1/patients/{enrolled.patient_id}/time-entries", auth,
               {"minutes": 45, "interactive": True})
    api = await client.get("/api/v1/billing?month=2026-11&format=csv", headers=auth)
    signed_out = await client.get("/console/billing/csv?month=2026-11", follow_redirects=False)
    assert (signed_out.status_code, signed_out.headers["location"]) == (303, "/console/login?next=/console/billing/csv")
    await console_sign_in(client, world)
    console = await client.get("/console/billing/csv?month=2026-11")
    assert console.status_code == 200
    assert console.content == api.content
    assert enrolled.patient_id in console.text
    assert console.headers["content-disposition"] == 'attachment; filename="rpm-billing-2026-11.csv"'
    assert console.headers["cache-control"] == "no-store"
    future = await client.get("/console/billing?month=2027-01")
    assert (future.status_code, "that month has not started yet" in future.text) == (422, True)


async def test_the_audit_trail_filters_and_pages(client: Client, world: World) -> None:
    start = datetime(2026, 11, 1, tzinfo=UTC)
    for n in range(60):
        await world.audit.append(AuditEntry(start + timedelta(minutes=n), "user-x", "device.read", "Device",
                                            AuditOutcome.SUCCESS, (f"d-{n}",)))
    await world.audit.append(AuditEntry(start, "user-y", "patient.read", "Patient", AuditOutcome.SUCCESS))
    await console_sign_in(client, world, Role.ADMIN)
    first = await client.get("/console/audit?action=device.read")
    second = await client.get("/console/audit?action=device.read&page=2")
    assert (first.status_code, second.status_code) == (200, 200)
    assert (_rows(first.text), _rows(second.text)) == (50, 10)
    assert "<td>device.read</td>" in first.text
    assert "<td>patient.read</td>" not in first.text + second.text
    assert 'href="/console/audit?action=device.read&amp;page=2">Next' in first.text
    assert 'href="/console/audit?action=device.read&amp;page=1">Previous' in second.text
    narrow = await client.get("/console/audit?actor=user-x&since=2026-11-01T00:50&until=2026-11-01T00:55")
    assert _rows(narrow.text) == 5
    wrong = await client.get("/console/audit?since=last+week")
    assert wrong.status_code == 422
    assert world.audit.entries[-1].action == "audit.read"


def _main(html: str) -> str:
    match = re.search(r"<main.*?</main>", html, re.S)
    assert match is not None
    return match.group(0)


def _rows(html: str) -> int:
    body = re.search(r"<tbody>(.*?)</tbody>", html, re.S)
    return body.group(1).count("<tr>") if body else 0


async def test_the_emr_page_shows_settings_without_secrets_and_each_practices_own_check(
        client: Client, world: World) -> None:
    pem = trustme.CA().cert_pem.bytes().decode()
    certificate_body = pem.splitlines()[1]
    world.db.emr_connections["conn-north"] = EmrConnection(
        id="conn-north", practice_id="north", vendor=EmrVendor.ECW, fhir_base_url="https://emr.example/fhir",
        client_id="north-client", created_at=FIXTURE_TIME, updated_at=FIXTURE_TIME, practice_code="FFHEDD",
        ca_bundle_pem=pem, has_client_secret=True)
    world.db.emr_connections["conn-south"] = EmrConnection(
        id="conn-south", practice_id="south", vendor=EmrVendor.SMART, fhir_base_url="https://south.example/fhir",
        client_id="south-client", created_at=FIXTURE_TIME, updated_at=FIXTURE_TIME, active=False)
    await console_sign_in(client, world, Role.ADMIN)
    listing = await client.get("/console/emr")
    assert re.findall(r"<h2 id=\"connection-[^\"]+\">([^<]+)</h2>", listing.text) == [
        "Practice default", "Practice north", "Practice south"]
    assert "north-client" in listing.text
    assert certificate_body not in listing.text
    north = await form(client, "/console/emr/conn-north/test-connection", from_page="/console/emr")
    assert north.status_code == 200
    assert "Connection test: success" in north.text
    assert "north" in world.emrs  # the check reached north's own EMR
    south = await form(client, "/console/emr/conn-south/test-token", from_page="/console/emr")
    assert south.status_code == 200
    assert "this practice has no active EMR connection" in south.text
    missing = await form(client, "/console/emr/conn-west/test-token", from_page="/console/emr")
    assert missing.status_code == 404
    tests = [(e.action, dict(e.details)) for e in world.audit.entries if e.action.startswith("emr.")]
    assert tests == [("emr.connection.test", {"status": "success", "practice": "north"})]


async def test_an_administrator_registers_a_device_into_a_named_practice(client: Client, world: World) -> None:
    await console_sign_in(client, world, Role.ADMIN)
    wrong = await form(client, "/console/devices", {"gateway_device_id": CUFF, "model_number": "TMB-2092-G",
                                                    "practice_id": "not a practice!"})
    assert (wrong.status_code, "practice must be 1-64 letters" in wrong.text) == (422, True)
    done = await form(client, "/console/devices", {"gateway_device_id": CUFF, "model_number": "TMB-2092-G",
                                                   "practice_id": "north"})
    (device,) = world.db.devices.values()
    assert (done.status_code, done.headers["location"]) == (303, f"/console/devices/{device.id}")
    assert device.practice_id == "north"


async def test_the_dashboard_shows_each_practices_emr_delivery_health(client: Client, world: World) -> None:
    world.connect("north")
    world.db.delivery_health["north"] = ConnectionHealth(
        "north", last_failure_at=FIXTURE_TIME, last_failure="the EMR is unavailable (503)",
        last_failure_http_status=503)
    await console_sign_in(client, world, practice="north")
    panel = (await client.get("/console/")).text
    rows = re.findall(r'<th scope="row">([^<]+)</th>\s*<td>([^<]+)</td>\s*<td>([^<]+)</td>', panel)
    assert rows == [("north", "never", "2026-11-20 18:05 UTC: the EMR is unavailable (503) (HTTP 503)")]
