"""Devices in a real browser: register a device that already sent a reading, see what assigning it would
release, assign it to a patient from a time, and unassign it; gateway ids stay out of every URL."""

from __future__ import annotations

import re
from collections.abc import Callable

import httpx
from playwright.sync_api import Page

from domain.readings import ReadingStatus
from domain.users import Role
from tests.browser.support import Console, axe_violations, describe, expect
from tests.support.api import CUFF, assign_device, import_patient, register_device
from tests.support.app import deliver, fixture

PHONE_WIDTH = 390


def _held_reading_and_a_patient(console: Console) -> str:
    """The cuff's reading arrives before anyone registered it (quarantined); a patient is imported. Our id."""
    auth = console.api_session(Role.CLINICIAN)

    async def arrange(client: httpx.AsyncClient) -> str:
        assert (await deliver(client, fixture("bp_normal"))).json()["status"] == "quarantined"
        return await import_patient(client, auth, "synthetic-patient-0001")

    return console.api(arrange)


def test_register_and_assign_a_device(page: Page, console: Console, signed_in: Callable[..., str]) -> None:
    patient_id = _held_reading_and_a_patient(console)
    name = console.world.db.patients[patient_id].name
    signed_in(page, role=Role.CLINICIAN)
    page.get_by_role("navigation").get_by_role("link", name="Devices").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Devices")
    page.get_by_label("Gateway device ID").fill(CUFF)
    page.get_by_label("Model").fill("TMB-2092-G")
    page.get_by_role("button", name="Register").click()

    expect(page.get_by_role("status")).to_have_text("Device registered.")
    (device,) = console.world.db.devices.values()
    expect(page).to_have_url(re.compile(rf"/console/devices/{device.id}$"))
    expect(page).to_have_title("Device — Vantrexia console")
    held = page.get_by_role("region", name="Quarantined readings")
    expect(held).to_contain_text("Slot 1: 1 readings")
    expect(held).to_contain_text("would release 1 of them")

    page.get_by_label("Patient").select_option(label=name)
    page.get_by_label("Effective from").fill("2026-11-20T00:00")
    page.get_by_role("button", name="Assign").click()
    expect(page.get_by_role("status")).to_have_text("Device assigned. 1 held readings released.")
    expect(page.get_by_role("region", name="Assigned to")).to_contain_text(name)
    (reading,) = console.world.db.readings.values()
    assert (reading.status, reading.patient_id) == (ReadingStatus.ACCEPTED, patient_id)

    page.get_by_role("button", name="Unassign").click()
    expect(page.get_by_role("status")).to_have_text("Device unassigned.")
    assert [a.active for a in console.world.db.assignments.values()] == [False]
    assert CUFF not in page.url


def test_registering_a_device_twice_says_so_and_links_to_it(page: Page, console: Console,
                                                             signed_in: Callable[..., str]) -> None:
    signed_in(page, role=Role.CLINICIAN)
    for _ in range(2):
        page.goto(f"{console.url}/console/devices")
        page.get_by_label("Gateway device ID").fill(CUFF)
        page.get_by_label("Model").fill("TMB-2092-G")
        page.get_by_role("button", name="Register").click()
    expect(page.get_by_role("alert")).to_contain_text("That device is already registered.")
    page.get_by_role("alert").get_by_role("link", name="Open that device").click()
    (device,) = console.world.db.devices.values()
    expect(page).to_have_url(re.compile(rf"/console/devices/{device.id}$"))


def test_the_devices_page_fits_a_phone_and_works_by_keyboard(phone: Page, console: Console,
                                                              signed_in: Callable[..., str]) -> None:
    _held_reading_and_a_patient(console)
    signed_in(phone, role=Role.ADMIN)
    phone.goto(f"{console.url}/console/devices")
    expect(phone.get_by_role("region", name="Quarantine")).to_contain_text("would release 1 of them")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH
    phone.get_by_label("Gateway device ID").focus()
    phone.keyboard.type("860000000000777")
    phone.keyboard.press("Tab")
    phone.keyboard.type("TMB-2092-G")
    phone.keyboard.press("Enter")
    expect(phone.get_by_role("status")).to_have_text("Device registered.")


def test_pages_full_of_data_have_no_serious_violations(axe_page: Page, console: Console,
                                                       signed_in: Callable[..., str]) -> None:
    patient_id = _held_reading_and_a_patient(console)
    auth = console.api_session(Role.CLINICIAN)

    async def enrol(client: httpx.AsyncClient) -> str:
        device_id = await register_device(client, auth, "860000000000555")
        await assign_device(client, auth, device_id, patient_id)
        return device_id

    device_id = console.api(enrol)
    signed_in(axe_page, role=Role.ADMIN)
    for path in ("/console/devices", f"/console/devices/{device_id}", "/console/billing?month=2026-11"):
        axe_page.goto(f"{console.url}{path}")
        violations = axe_violations(axe_page)
        assert violations == [], describe(violations)
