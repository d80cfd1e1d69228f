"""Patients in a real browser: importing from the EMR by keyboard, finding a patient by name, the patient page
with a reading and its chart (also on a phone), another practice's clinician getting the 404 page, and
axe-core on the pages that need a patient."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from datetime import date

from playwright.sync_api import Page

from domain.patients import DEFAULT_PRACTICE, EmrPatient
from domain.sync import SyncStatus
from domain.users import Role
from tests.browser.support import Console, axe_violations, describe, expect
from tests.support.api import enrol_patient
from tests.support.app import deliver, fixture

NEWCOMER = EmrPatient("synthetic-patient-0099", "Zelda Quartermaine", date(1948, 5, 17), "SYN-10099")


def a_patient_with_a_reading(console: Console, practice: str = DEFAULT_PRACTICE) -> str:
    """A patient of `practice` with a cuff that sent one blood-pressure reading (a signed webhook)."""
    auth = console.api_session(Role.ADMIN)
    if practice != DEFAULT_PRACTICE:
        console.world.connect(practice)  # its clinic's EMR, to import the patient from
    enrolled = console.api(lambda client: enrol_patient(client, auth, practice_id=practice))
    answer = console.api(lambda client: deliver(client, fixture("bp_normal")))
    assert answer.status_code == 202, answer.text
    return enrolled.patient_id


def test_importing_a_patient_with_the_keyboard_and_finding_them(page: Page, console: Console,
                                                                 signed_in: Callable[..., str]) -> None:
    console.world.emr.patients[NEWCOMER.emr_patient_id] = NEWCOMER  # the 21st: on the second page
    signed_in(page)
    page.goto(f"{console.url}/console/patients")
    page.get_by_role("link", name="Import from the EMR").click()
    expect(page.get_by_role("group")).to_contain_text("page 1 of 2")
    page.get_by_role("link", name="Next").click()
    expect(page).to_have_url(re.compile(r"/console/patients/import\?page=2$"))
    page.get_by_label(NEWCOMER.name).focus()
    page.keyboard.press("Space")
    expect(page.get_by_label(NEWCOMER.name)).to_be_checked()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Import selected")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_have_text("Imported 1 patient.")
    expect(page.get_by_role("link", name=NEWCOMER.name)).to_be_visible()
    expect(page.get_by_label(NEWCOMER.name)).to_have_count(0)
    page.get_by_role("link", name="Previous").click()
    expect(page).to_have_url(re.compile(r"/console/patients/import\?page=1$"))

    page.get_by_role("navigation", name="Console").get_by_role("link", name="Patients").click()
    page.get_by_label("Search patients").fill("quarterm")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_have_text(re.compile(r"^1 patient found\."))
    assert "quarterm" not in page.url.lower()
    page.get_by_role("link", name=NEWCOMER.name).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(NEWCOMER.name)
    expect(page).to_have_title("Patient — Vantrexia console")


def test_the_patient_page_shows_the_reading_and_its_chart_on_a_phone(phone: Page, console: Console,
                                                                     signed_in: Callable[..., str]) -> None:
    patient_id = a_patient_with_a_reading(console)
    signed_in(phone)
    phone.goto(f"{console.url}/console/patients/{patient_id}")
    readings = phone.get_by_role("table", name="Readings")
    expect(readings.get_by_role("row")).to_have_count(2)
    expect(readings.get_by_role("row").nth(1)).to_contain_text("Systolic 128 mmHg")
    expect(readings.get_by_role("row").nth(1)).to_contain_text("Pulse 71 /min")
    chart = phone.get_by_role("figure", name=re.compile("^Blood pressure"))
    expect(chart.locator("svg circle")).to_have_count(3)
    assert chart.locator("svg").bounding_box()["width"] <= 390  # type: ignore[index]
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_saving_thresholds_with_the_keyboard(page: Page, console: Console, signed_in: Callable[..., str]) -> None:
    patient_id = a_patient_with_a_reading(console)
    signed_in(page)
    page.goto(f"{console.url}/console/patients/{patient_id}")
    page.get_by_label("SpO2 low below (%)").fill("92")
    page.get_by_role("button", name="Save thresholds").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_have_text("Thresholds saved.")
    expect(page.get_by_label(re.compile(r"^SpO2 low below \(%\)"))).to_have_value("92")


def test_another_practices_clinician_gets_the_not_found_page(page: Page, console: Console,
                                                            signed_in: Callable[..., str]) -> None:
    patient_id = a_patient_with_a_reading(console, practice="north")
    signed_in(page, practice="south")
    answer = page.goto(f"{console.url}/console/patients/{patient_id}")
    assert answer is not None
    assert answer.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Not found")
    expect(page.get_by_role("table", name="Readings")).to_have_count(0)


def test_an_admin_retries_a_dead_sync_item_and_the_pages_have_no_serious_violations(
        axe_page: Page, console: Console, signed_in: Callable[..., str]) -> None:
    patient_id = a_patient_with_a_reading(console)
    outbox = console.world.db.outbox
    first = min(outbox.values(), key=lambda item: (item.code or "", item.id))
    outbox[first.id] = replace(first, status=SyncStatus.DEAD, attempts=8, http_status=422,
                               last_error="Observation.performer: unknown reference")
    signed_in(axe_page, role=Role.ADMIN)
    axe_page.goto(f"{console.url}/console/patients/{patient_id}")
    assert axe_violations(axe_page) == [], describe(axe_violations(axe_page))
    axe_page.get_by_role("button", name="Retry").click()
    expect(axe_page.get_by_role("status")).to_have_text("The sync item will be sent again.")
    expect(axe_page.get_by_role("button", name="Retry")).to_have_count(0)
    assert console.world.db.outbox[first.id].status is SyncStatus.PENDING  # the store's tables after the commit
    for path in ("/console/patients", "/console/patients/import"):
        axe_page.goto(f"{console.url}{path}")
        assert axe_violations(axe_page) == [], describe(axe_violations(axe_page))
    axe_page.get_by_role("navigation", name="Console").get_by_role("link", name="Patients").click()
    axe_page.get_by_label("Search patients").fill("zzz")
    axe_page.keyboard.press("Enter")
    expect(axe_page.get_by_role("status")).to_have_text(re.compile(r"^0 patients found\."))
    assert axe_violations(axe_page) == [], describe(axe_violations(axe_page))
