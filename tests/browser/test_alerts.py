"""The alert queue in a real browser: a signed crisis webhook arrives while the page is open, the alert
appears by itself, is acknowledged and resolved with a note; a form posted without its CSRF token is refused."""

from __future__ import annotations

from collections.abc import Callable

import httpx
from playwright.sync_api import Page

from domain.alerts import AlertStatus
from domain.users import Role
from tests.browser.support import Console, expect
from tests.support.api import enrol_patient
from tests.support.app import deliver, fixture


def _enrolled_patient_name(console: Console) -> str:
    auth = console.api_session(Role.CLINICIAN)
    enrolment = console.api(lambda client: enrol_patient(client, auth))
    return console.world.db.patients[enrolment.patient_id].name


def _crisis_arrives(console: Console) -> None:
    answer: httpx.Response = console.api(lambda client: deliver(client, fixture("bp_crisis")))
    assert answer.status_code == 202, answer.text


def test_a_crisis_reading_appears_on_the_open_queue_and_is_acknowledged_then_resolved(
    page: Page, console: Console, signed_in: Callable[..., str]
) -> None:
    name = _enrolled_patient_name(console)
    signed_in(page)
    page.get_by_role("navigation").get_by_role("link", name="Alerts").click()
    expect(page.get_by_text("No open alerts.")).to_be_visible()

    _crisis_arrives(console)
    alert = page.get_by_role("listitem").filter(has=page.get_by_role("link", name=name))
    expect(alert).to_be_visible(timeout=10_000)  # polled, no reload
    expect(alert.get_by_role("heading")).to_contain_text("Critical")

    alert.get_by_role("button", name="Acknowledge").click()
    expect(page.get_by_role("status")).to_have_text("Alert acknowledged.")
    expect(alert).to_contain_text("Acknowledged")
    expect(alert.get_by_role("button", name="Acknowledge")).to_have_count(0)

    alert.locator("summary", has_text="Resolve").click()
    alert.get_by_label("Note").fill("Called the patient; repeat reading 132/84, seen by Dr Ada today.")
    alert.get_by_role("button", name="Resolve").click()
    expect(page.get_by_role("status")).to_have_text("Alert resolved.")
    expect(page.get_by_text("No open alerts.")).to_be_visible()
    (stored,) = console.world.db.alerts.values()
    assert (stored.status, stored.resolution_note) == (
        AlertStatus.RESOLVED, "Called the patient; repeat reading 132/84, seen by Dr Ada today.")


def test_a_form_posted_without_its_csrf_token_is_refused_and_changes_nothing(
    page: Page, console: Console, signed_in: Callable[..., str]
) -> None:
    _enrolled_patient_name(console)
    _crisis_arrives(console)
    signed_in(page)
    page.goto(f"{console.url}/console/alerts")
    page.locator("form[action$='/acknowledge'] input[name='_csrf_token']").evaluate("input => input.remove()")
    with page.expect_response(lambda answer: answer.url.endswith("/acknowledge")) as refused:
        page.get_by_role("button", name="Acknowledge").click()
    assert refused.value.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("Refused")
    (stored,) = console.world.db.alerts.values()
    assert stored.status is AlertStatus.OPEN
    page.goto(f"{console.url}/console/alerts")
    page.get_by_role("button", name="Acknowledge").click()
    expect(page.get_by_role("status")).to_have_text("Alert acknowledged.")
    assert next(iter(console.world.db.alerts.values())).status is AlertStatus.ACKNOWLEDGED
