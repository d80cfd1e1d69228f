"""The dashboard in a real browser: today's figures, who needs attention, refreshed every 30 s without a reload;
readable on a phone. With VANTREXIA_SCREENSHOTS=1 it also takes the README's picture (make screenshots)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Locator, Page

from domain.users import Role
from tests.browser.support import Console, expect
from tests.support.api import enrol_patient
from tests.support.app import deliver, fixture, signed

STATUS = "/api/v1/webhooks/mioconnect/status"
DOCS = Path(__file__).resolve().parents[2] / "docs"


def _tile(page: Page, heading: str) -> Locator:
    return page.locator(".tile").filter(has=page.get_by_role("heading", name=heading, exact=True))


def _arrange(console: Console) -> str:
    """Two patients: one sent a crisis reading from a cuff low on battery, the other nothing yet (quiet)."""
    auth = console.api_session(Role.CLINICIAN)
    console.api(lambda client: enrol_patient(client, auth))
    quiet = console.api(lambda client: enrol_patient(client, auth, emr_id="synthetic-patient-0002",
                                                     gateway_id="860013045678902"))
    console.api(lambda client: deliver(client, fixture("bp_crisis")))
    raw, headers = signed(fixture("status_bp", bat=12))
    console.api(lambda client: client.post(STATUS, content=raw, headers=headers))
    return console.world.db.patients[quiet.patient_id].name


def test_the_dashboard_shows_today_and_refreshes_itself(page: Page, console: Console,
                                                         signed_in: Callable[..., str]) -> None:
    quiet_name = _arrange(console)
    page.clock.install()  # the page's own timers, so the 30-second refresh can be fast-forwarded
    signed_in(page)
    expect(page).to_have_title("Dashboard — Vantrexia console")
    expect(_tile(page, "Patients monitored").locator(".figure")).to_have_text("2")
    expect(_tile(page, "Readings today").locator(".figure")).to_have_text("1")
    expect(_tile(page, "Open alerts").locator(".severity-critical dd")).to_have_text("1")
    expect(_tile(page, "EMR sync").locator("div").filter(has_text="Waiting").locator("dd")).to_have_text("2")
    quiet = page.get_by_role("region", name="Quiet for 3 days")
    expect(quiet.get_by_role("listitem")).to_have_count(1)
    expect(quiet.get_by_role("link", name=quiet_name)).to_be_visible()
    expect(page.get_by_role("region", name="Low battery").get_by_role("listitem")).to_have_text(
        ["TMB-2092-G 12% battery, last seen 2026-11-20 18:05 UTC"])
    if os.environ.get("VANTREXIA_SCREENSHOTS") == "1":
        DOCS.mkdir(exist_ok=True)
        page.set_viewport_size({"width": 1100, "height": 720})
        page.screenshot(path=str(DOCS / "console-dashboard.png"), full_page=True)

    console.api(lambda client: deliver(client, fixture("bp_normal")))
    expect(_tile(page, "Readings today").locator(".figure")).to_have_text("1")  # not before the refresh
    page.clock.run_for("00:31")
    expect(_tile(page, "Readings today").locator(".figure")).to_have_text("2")


def test_the_dashboard_fits_a_phone(phone: Page, console: Console, signed_in: Callable[..., str]) -> None:
    _arrange(console)
    signed_in(phone)
    expect(phone.get_by_role("heading", name="Readings today")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    expect(phone.get_by_role("button", name="Sign out")).to_be_in_viewport()
