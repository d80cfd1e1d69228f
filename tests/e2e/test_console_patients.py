"""The console's patient pages over the test client: practice scoping, CSRF on every form, what each form
changes, and that a searched name never reaches a URL."""

from __future__ import annotations

import re
from decimal import Decimal

import httpx
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from domain.patients import DEFAULT_PRACTICE
from domain.ports.emr import EmrRejected
from domain.sync import SyncStatus
from domain.users import Role
from tests.support.api import add_user, enrol_patient
from tests.support.app import deliver, drain_outbox, fixture
from tests.support.world import World

Client = AsyncTestClient[Litestar]
CSRF = re.compile(r'name="_csrf_token" value="([^"]+)"')


async def console_sign_in(client: Client, world: World, role: Role = Role.CLINICIAN,
                          practice: str = DEFAULT_PRACTICE) -> None:
    """A new user signed in through the console's sign-in form (the session cookie stays on `client`)."""
    username, password = add_user(world, f"console-{role.value}-{len(world.db.users)}", role, practice)
    form = await client.get("/console/login")
    answer = await client.post("/console/login", follow_redirects=False,
                               data={"username": username, "password": password, "_csrf_token": token_in(form)})
    assert answer.status_code == 303, answer.text


def token_in(response: httpx.Response) -> str:
    found = CSRF.search(response.text)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


async def post_form(client: Client, page: str, action: str, data: dict[str, object]) -> httpx.Response:
    """Open `page`, then send one of its forms to `action` with the page's CSRF token."""
    token = token_in(await client.get(page))
    return await client.post(action, data={**data, "_csrf_token": token}, follow_redirects=False)


@pytest.fixture
async def patient_id(client: Client, auth: dict[str, str]) -> str:
    """A patient of the default practice with a cuff and one blood-pressure reading."""
    enrolled = await enrol_patient(client, auth)
    assert (await deliver(client, fixture("bp_normal"))).status_code == 202
    return enrolled.patient_id


async def test_the_patient_page_shows_the_reading_with_units_and_its_chart(client: Client, world: World,
                                                                          patient_id: str) -> None:
    await console_sign_in(client, world)
    answer = await client.get(f"/console/patients/{patient_id}")
    assert answer.status_code == 200
    assert answer.headers["cache-control"] == "no-store"
    assert "<title>Patient — Vantrexia console</title>" in answer.text
    assert "Systolic 128 mmHg" in answer.text
    assert answer.text.count("<svg") == 1
    assert world.db.patients[patient_id].name not in answer.text.split("</title>")[0]


async def test_another_practices_patient_reads_like_a_missing_one(client: Client, world: World,
                                                                 patient_id: str) -> None:
    await console_sign_in(client, world, practice="north")
    theirs = await client.get(f"/console/patients/{patient_id}")
    missing = await client.get("/console/patients/no-such-patient")
    assert (theirs.status_code, missing.status_code) == (404, 404)
    assert theirs.text.replace(patient_id, "") == missing.text.replace("no-such-patient", "")
    assert world.db.patients[patient_id].name not in theirs.text
    listed = await client.get("/console/patients")
    assert world.db.patients[patient_id].name not in listed.text


async def test_forms_of_another_practices_patient_change_nothing(client: Client, world: World,
                                                                patient_id: str) -> None:
    await console_sign_in(client, world, practice="north")
    page = "/console/patients"
    for action, data in ((f"/console/patients/{patient_id}/thresholds", {"systolic_crisis_above": "170"}),
                         (f"/console/patients/{patient_id}/consent", {"consent": "given"}),
                         (f"/console/patients/{patient_id}/time", {"minutes": "10"})):
        assert (await post_form(client, page, action, data)).status_code == 404
    assert (world.db.thresholds, world.db.consents, world.db.time_entries) == ({}, {}, {})


async def test_a_form_without_its_csrf_token_is_refused_and_changes_nothing(client: Client, world: World,
                                                                           patient_id: str) -> None:
    await console_sign_in(client, world)
    base = f"/console/patients/{patient_id}"
    for action, data in ((f"{base}/consent", {"consent": "given"}), (f"{base}/time", {"minutes": "10"}),
                         ("/console/patients/import", {"emr_patient_id": "synthetic-patient-0002"}),
                         ("/console/patients/search", {"name": "a"})):
        refused = await client.post(action, data=data, follow_redirects=False)
        assert refused.status_code == 403, action
    assert (world.db.consents, world.db.time_entries, len(world.db.patients)) == ({}, {}, 1)


async def test_thresholds_consent_and_time_are_saved_and_confirmed(client: Client, world: World,
                                                                  patient_id: str) -> None:
    await console_sign_in(client, world)
    page = f"/console/patients/{patient_id}"
    form = {name: value for name, value in re.findall(r'name="([a-z0-9_]+)" type="number" step="any"[^>]*\s+'
                                                      r'value="([^"]+)"', (await client.get(page)).text)}
    assert len(form) == 18
    saved = await post_form(client, page, f"{page}/thresholds", {**form, "spo2_low_below": "92.5"})
    assert (saved.status_code, saved.headers["location"]) == (303, f"{page}#thresholds")
    assert world.db.thresholds[patient_id] == {"spo2_low_below": Decimal("92.5")}
    assert "Thresholds saved." in (await client.get(page)).text
    assert (await post_form(client, page, f"{page}/consent", {"consent": "declined"})).status_code == 303
    assert world.db.consents[patient_id].consented is False
    logged = await post_form(client, page, f"{page}/time", {"minutes": "15", "interactive": "yes"})
    assert logged.status_code == 303
    (entry,) = world.db.time_entries.values()
    assert (entry.minutes, entry.interactive, entry.performed_on) == (15, True, world.clock.now().date())
    shown = (await client.get(page)).text
    assert "Logged 15 minutes." in shown
    assert "15 minutes logged this month" in shown


@pytest.mark.parametrize("minutes", ["", "ten", "0", "241"])
async def test_a_refused_time_entry_re_renders_the_form_with_a_message(client: Client, world: World,
                                                                      patient_id: str, minutes: str) -> None:
    await console_sign_in(client, world)
    page = f"/console/patients/{patient_id}"
    refused = await post_form(client, page, f"{page}/time", {"minutes": minutes})
    assert refused.status_code == 422
    assert re.search(r'<p class="error" role="alert">[^<]*minutes', refused.text)
    assert world.db.time_entries == {}


async def test_only_admins_retry_a_dead_sync_item(client: Client, world: World, auth: dict[str, str]) -> None:
    enrolled = await enrol_patient(client, auth)
    world.emr.fail_next(EmrRejected("Observation.performer: unknown reference", http_status=422))
    await deliver(client, fixture("bp_normal"))
    await drain_outbox(client)
    (dead,) = [i for i in world.db.outbox.values() if i.status is SyncStatus.DEAD]
    page = f"/console/patients/{enrolled.patient_id}"
    action = f"{page}/sync/{dead.id}/retry"
    await console_sign_in(client, world)
    assert "Retry</button>" not in (await client.get(page)).text
    assert (await post_form(client, page, action, {})).status_code == 403
    assert world.db.outbox[dead.id].status is SyncStatus.DEAD
    await console_sign_in(client, world, Role.ADMIN)
    assert (await client.get(page)).text.count("Retry</button>") == 1
    retried = await post_form(client, page, action, {})
    assert (retried.status_code, world.db.outbox[dead.id].status) == (303, SyncStatus.PENDING)


async def test_a_search_keeps_the_name_out_of_every_url_and_stays_in_the_practice(
        client: Client, world: World, auth: dict[str, str]) -> None:
    enrolled = await enrol_patient(client, auth)
    name = world.db.patients[enrolled.patient_id].name
    await console_sign_in(client, world)
    found = await post_form(client, "/console/patients", "/console/patients/search", {"name": name.split()[0].upper()})
    assert found.status_code == 200
    assert f'href="/console/patients/{enrolled.patient_id}"' in found.text
    assert name.split()[0].lower() not in str(found.url).lower()
    await console_sign_in(client, world, practice="north")
    elsewhere = await post_form(client, "/console/patients", "/console/patients/search", {"name": name})
    assert enrolled.patient_id not in elsewhere.text
    empty = await post_form(client, "/console/patients", "/console/patients/search", {"name": "  "})
    assert empty.status_code == 422


async def test_importing_selected_patients_into_the_users_practice(client: Client, world: World) -> None:
    await console_sign_in(client, world, practice="north")
    page = "/console/patients/import"
    listed = await client.get(page)
    assert listed.text.count('type="checkbox"') == 20
    imported = await post_form(client, page, page, {"emr_patient_id": ["synthetic-patient-0002",
                                                                       "synthetic-patient-0005"], "page": "1"})
    assert (imported.status_code, imported.headers["location"]) == (303, f"{page}?page=1")
    assert sorted((p.emr_patient_id, p.practice_id) for p in world.db.patients.values()) == [
        ("synthetic-patient-0002", "north"), ("synthetic-patient-0005", "north")]
    again = await client.get(page)
    assert "Imported 2 patients." in again.text
    assert (again.text.count('type="checkbox"'), again.text.count("Already imported")) == (18, 2)
    nothing = await post_form(client, page, page, {"page": "1"})
    assert (nothing.status_code, "Select at least one patient to import." in nothing.text) == (422, True)


@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/console/patients"), ("GET", "/console/patients/import"), ("GET", "/console/patients/some-id"),
    ("POST", "/console/patients/search"), ("POST", "/console/patients/import"),
    ("POST", "/console/patients/some-id/consent"),
])
async def test_signed_out_the_patient_pages_send_to_the_sign_in_page(client: Client, world: World, method: str,
                                                                    path: str) -> None:
    answer = await client.request(method, path, follow_redirects=False)
    assert (answer.status_code, answer.headers["location"]) == (303, f"/console/login?next={path}")
    assert (world.db.patients, world.db.consents) == ({}, {})
