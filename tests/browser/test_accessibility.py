"""axe-core over every console page: no serious or critical violation, signed in as a clinician or an admin.

Each area appends its pages to PAGES_TO_CHECK: (path, role). Paths with our ids are built in the test
that arranges the data; here only pages that need nothing but a signed-in user.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page

from domain.users import Role
from tests.browser.support import Console, axe_violations, describe, expect
from tests.support.api import enrol_patient
from tests.support.app import deliver, fixture

PAGES_TO_CHECK: list[tuple[str, Role]] = [
    ("/console/", Role.CLINICIAN),
    ("/console/alerts", Role.CLINICIAN),
    ("/console/", Role.ADMIN),
    ("/console/patients", Role.CLINICIAN),
    ("/console/patients/import", Role.CLINICIAN),
    ("/console/devices", Role.CLINICIAN),
    ("/console/billing", Role.CLINICIAN),
    ("/console/emr", Role.ADMIN),
    ("/console/audit", Role.ADMIN),
]


def test_the_sign_in_page_has_no_serious_violations(axe_page: Page, console: Console) -> None:
    axe_page.goto(f"{console.url}/console/login")
    assert axe_violations(axe_page) == [], describe(axe_violations(axe_page))
    axe_page.get_by_label("Username").fill("nobody")
    axe_page.get_by_label("Password").fill("wrong")
    axe_page.get_by_role("button", name="Sign in").click()
    expect(axe_page.get_by_role("alert")).to_be_visible()
    assert axe_violations(axe_page) == [], describe(axe_violations(axe_page))


@pytest.mark.parametrize(("path", "role"), PAGES_TO_CHECK, ids=[f"{p}-{r.value}" for p, r in PAGES_TO_CHECK])
def test_console_pages_have_no_serious_violations(axe_page: Page, console: Console, signed_in: Callable[..., str],
                                                  path: str, role: Role) -> None:
    signed_in(axe_page, role=role)
    response = axe_page.goto(f"{console.url}{path}")
    assert response is not None
    assert response.status == 200
    violations = axe_violations(axe_page)
    assert violations == [], describe(violations)


def test_the_check_itself_catches_an_unlabelled_control(axe_page: Page) -> None:
    axe_page.set_content('<!doctype html><html lang="en"><title>t</title><main><input type="text"></main></html>')
    assert [v["id"] for v in axe_violations(axe_page)] == ["label"]


def test_the_alert_queue_with_an_alert_being_resolved_has_no_serious_violations(
    axe_page: Page, console: Console, signed_in: Callable[..., str]
) -> None:
    auth = console.api_session(Role.CLINICIAN)
    console.api(lambda client: enrol_patient(client, auth))
    console.api(lambda client: deliver(client, fixture("bp_crisis")))
    signed_in(axe_page)
    axe_page.goto(f"{console.url}/console/alerts")
    axe_page.locator("summary", has_text="Resolve").click()
    expect(axe_page.get_by_label("Note")).to_be_visible()
    violations = axe_violations(axe_page)
    assert violations == [], describe(violations)
