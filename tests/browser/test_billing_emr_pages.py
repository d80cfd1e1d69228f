"""Billing and EMR pages in a real browser: the month's codes with reasons, the CSV download (header and a
patient's row), and the EMR checks' results on the page."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import httpx
from playwright.sync_api import Page

from domain.users import Role
from tests.browser.support import Console, expect
from tests.support.api import call, enrol_patient

CSV_HEADER = ["patient_id", "mrn", "name", "code", "units", "reason"]
PHONE_WIDTH = 390


def _billable_patient(console: Console) -> str:
    """An enrolled patient with consent and 25 interactive minutes this month (99457); our id."""
    auth = console.api_session(Role.CLINICIAN)

    async def arrange(client: httpx.AsyncClient) -> str:
        patient_id = (await enrol_patient(client, auth)).patient_id
        consent = await call(client, "PUT", f"/api/v1/patients/{patient_id}/consent", auth, {"rpm_consent": True})
        logged = await call(client, "POST", f"/api/v1/patients/{patient_id}/time-entries", auth,
                            {"minutes": 25, "interactive": True})
        assert (consent.status_code, logged.status_code) == (200, 201), (consent.text, logged.text)
        return patient_id

    return console.api(arrange)


def test_the_billing_month_shows_codes_and_its_csv_downloads(page: Page, console: Console,
                                                             signed_in: Callable[..., str]) -> None:
    patient_id = _billable_patient(console)
    patient = console.world.db.patients[patient_id]
    signed_in(page, role=Role.CLINICIAN)
    page.get_by_role("navigation").get_by_role("link", name="Billing").click()
    page.get_by_label("Month").fill("2026-11")
    page.get_by_role("button", name="Show").click()
    row = page.get_by_role("row").filter(has_text=patient.name)
    expect(row).to_contain_text("99457: first 20 of 25 minutes")
    expect(row).to_contain_text("99453: fewer than 2 days with readings in this episode so far")

    with page.expect_download() as downloading:
        page.get_by_role("link", name="Download CSV").click()
    download = downloading.value
    assert download.suggested_filename == "rpm-billing-2026-11.csv"
    with Path(download.path()).open(newline="") as file:
        rows = list(csv.reader(file))
    assert rows[0] == CSV_HEADER
    assert [patient_id, patient.mrn, patient.name, "99457", "1", "first 20 of 25 minutes"] in rows[1:]


def test_the_emr_checks_show_their_results(page: Page, console: Console, signed_in: Callable[..., str]) -> None:
    signed_in(page, role=Role.ADMIN)
    page.get_by_role("navigation").get_by_role("link", name="EMR").click()
    connection = page.get_by_role("region", name="Practice default")
    expect(connection).to_contain_text("Client secret")
    connection.get_by_role("button", name="Test connection").click()
    result = page.get_by_role("region", name="Practice default").get_by_role("status")
    expect(result).to_contain_text("Connection test: success")
    expect(result.locator("dt:text-is('Patients') + dd")).to_have_text(str(len(console.world.emr.patients)))
    page.get_by_role("region", name="Practice default").get_by_role("button", name="Test token").click()
    result = page.get_by_role("region", name="Practice default").get_by_role("status")
    expect(result).to_contain_text("Token test: error")
    expect(result).to_contain_text("in-memory EMR")
    assert [e.action for e in console.world.audit.entries if e.action.startswith("emr.")] == [
        "emr.connection.test", "emr.token.test"]


def test_billing_emr_and_audit_fit_a_phone(phone: Page, console: Console, signed_in: Callable[..., str]) -> None:
    _billable_patient(console)
    signed_in(phone, role=Role.ADMIN)
    for path, heading in (("/console/billing?month=2026-11", "Billing"), ("/console/emr", "EMR connections"),
                          ("/console/audit", "Audit")):
        phone.goto(f"{console.url}{path}")
        expect(phone.get_by_role("heading", level=1)).to_have_text(heading)
        assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH, path
