"""The console's patient pages over the test client: practice scoping, CSRF on every form, signed-out
redirects, importing from the EMR, and that a searched name never reaches a URL."""

from __future__ import annotations

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.support.api import enrol_patient
from tests.support.console import console_sign_in, csrf_token_in, post_form
from tests.support.world import World

Client = AsyncTestClient[Litestar]


async def test_the_patient_page_shows_the_reading_with_units_and_its_chart(client: Client, world: World,
                                                                          patient_with_a_reading: str) -> None:
    await console_sign_in(client, world)
    answer = await client.get(f"/console/patients/{patient_with_a_reading}")
    assert answer.status_code == 200
    assert answer.headers["cache-control"] == "no-store"
    assert "<title>Patient — Vantrexia console</title>" in answer.text
    assert "Systolic 128 mmHg" in answer.text
    assert answer.text.count("<svg") == 1
    assert world.db.patients[patient_with_a_reading].name not in answer.text.split("</title>")[0]


async def test_another_practices_patient_reads_like_a_missing_one(client: Client, world: World,
                                                                 patient_with_a_reading: str) -> None:
    await console_sign_in(client, world, practice="north")
    theirs = await client.get(f"/console/patients/{patient_with_a_reading}")
    missing = await client.get("/console/patients/no-such-patient")
    assert (theirs.status_code, missing.status_code) == (404, 404)
    assert theirs.text.replace(patient_with_a_reading, "") == missing.text.replace("no-such-patient", "")
    assert world.db.patients[patient_with_a_reading].name not in theirs.text
    listed = await client.get("/console/patients")
    assert world.db.patients[patient_with_a_reading].name not in listed.text


async def test_forms_of_another_practices_patient_change_nothing(client: Client, world: World,
                                                                patient_with_a_reading: str) -> None:
    await console_sign_in(client, world, practice="north")
    page = "/console/patients"
    for action, data in ((f"/console/patients/{patient_with_a_reading}/thresholds", {"systolic_crisis_above": "170"}),
                         (f"/console/patients/{patient_with_a_reading}/consent", {"consent": "given"}),
                         (f"/console/patients/{patient_with_a_reading}/time", {"minutes": "10"})):
        assert (await post_form(client, action, data, from_page=page)).status_code == 404
    assert (world.db.thresholds, world.db.consents, world.db.time_entries) == ({}, {}, {})


async def test_a_form_without_its_csrf_token_is_refused_and_changes_nothing(client: Client, world: World,
                                                                           patient_with_a_reading: str) -> None:
    await console_sign_in(client, world)
    base = f"/console/patients/{patient_with_a_reading}"
    for action, data in ((f"{base}/consent", {"consent": "given"}), (f"{base}/time", {"minutes": "10"}),
                         ("/console/patients/import", {"emr_patient_id": "synthetic-patient-0002"}),
                         ("/console/patients/search", {"name": "a"})):
        refused = await client.post(action, data=data, follow_redirects=False)
        assert refused.status_code == 403, action
    assert (world.db.consents, world.db.time_entries, len(world.db.patients)) == ({}, {}, 1)


async def test_a_search_keeps_the_name_out_of_every_url_and_stays_in_the_practice(
        client: Client, world: World, auth: dict[str, str]) -> None:
    enrolled = await enrol_patient(client, auth)
    name = world.db.patients[enrolled.patient_id].name
    await console_sign_in(client, world)
    search, listed = "/console/patients/search", "/console/patients"
    found = await post_form(client, search, {"name": name.split()[0].upper()}, from_page=listed)
    assert found.status_code == 200
    assert f'href="/console/patients/{enrolled.patient_id}"' in found.text
    assert name.split()[0].lower() not in str(found.url).lower()
    await console_sign_in(client, world, practice="north")
    elsewhere = await post_form(client, search, {"name": name}, from_page=listed)
    assert enrolled.patient_id not in elsewhere.text
    empty = await post_form(client, search, {"name": "  "}, from_page=listed)
    assert empty.status_code == 422


async def test_importing_selected_patients_into_the_users_practice(client: Client, world: World) -> None:
    world.connect("north")
    await console_sign_in(client, world, practice="north")
    page = "/console/patients/import"
    listed = await client.get(page)
    assert listed.text.count('type="checkbox"') == 20
    chosen = {"emr_patient_id": ["synthetic-patient-0002", "synthetic-patient-0005"], "page": "1"}
    imported = await client.post(page, data={**chosen, "_csrf_token": csrf_token_in(listed.text)},
                                 follow_redirects=False)
    assert (imported.status_code, imported.headers["location"]) == (303, f"{page}?page=1")
    assert sorted((p.emr_patient_id, p.practice_id) for p in world.db.patients.values()) == [
        ("synthetic-patient-0002", "north"), ("synthetic-patient-0005", "north")]
    again = await client.get(page)
    assert "Imported 2 patients." in again.text
    assert (again.text.count('type="checkbox"'), again.text.count("Already imported")) == (18, 2)
    nothing = await post_form(client, page, {"page": "1"}, from_page=page)
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


async def test_a_failing_emr_is_reported_without_its_words(client: Client, world: World) -> None:
    await console_sign_in(client, world)
    world.emr.down = True
    listed = await client.get("/console/patients/import")
    assert (listed.status_code, "The EMR did not answer." in listed.text) == (502, True)
    assert "simulated outage" not in listed.text


async def test_a_practice_without_an_emr_connection_is_told_so_on_the_import_page(
        client: Client, world: World) -> None:
    await console_sign_in(client, world, practice="north")
    answer = await client.get("/console/patients/import")
    assert answer.status_code == 409
    assert "This practice has no active EMR connection" in answer.text
    assert 'type="checkbox"' not in answer.text
