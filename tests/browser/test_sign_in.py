"""Signing in and out of the console in a real browser: keyboard alone, wrong password, signed-out redirects."""

from __future__ import annotations

import re
from collections.abc import Callable

import httpx
from playwright.sync_api import Page

from domain.users import Role
from tests.browser.support import Console, expect, sign_in_with_form
from tests.support.api import add_user


def test_sign_in_with_the_keyboard_alone(page: Page, console: Console) -> None:
    username, password = add_user(console.world, "dr-keys", Role.CLINICIAN)
    page.goto(f"{console.url}/console/alerts")
    expect(page).to_have_url(re.compile(r"/console/login\?next=/console/alerts$"))
    expect(page.get_by_label("Username")).to_be_focused()
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type(password)
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Sign in")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/console/alerts$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Alerts")
    expect(page).to_have_title("Alerts — Vantrexia console")


def test_a_wrong_password_does_not_say_which_was_wrong(page: Page, console: Console) -> None:
    username, _ = add_user(console.world, "dr-typo", Role.CLINICIAN)
    for name in (username, "nobody-by-this-name"):
        sign_in_with_form(page, console, name, "not-the-password")
        expect(page.get_by_role("alert")).to_have_text("Invalid username or password")
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)


def test_the_nav_shows_admin_areas_to_admins_only(page: Page, signed_in: Callable[..., str]) -> None:
    signed_in(page, role=Role.CLINICIAN)
    nav = page.get_by_role("navigation")
    expect(nav.get_by_role("link")).to_have_text(["Dashboard", "Alerts", "Patients", "Devices", "Billing"])
    page.get_by_role("button", name="Sign out").click()
    signed_in(page, role=Role.ADMIN)
    expect(page.get_by_role("navigation").get_by_role("link")).to_have_text(
        ["Dashboard", "Alerts", "Patients", "Devices", "Billing", "EMR", "Audit"])


def test_signing_out_ends_the_session(page: Page, console: Console, signed_in: Callable[..., str]) -> None:
    signed_in(page)
    (session,) = [c for c in page.context.cookies() if c["name"] == "vantrexia_console"]
    assert session["httpOnly"]
    assert session["sameSite"] == "Lax"
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/console/login$"))
    expect(page.get_by_role("status")).to_have_text("You have signed out.")
    old_cookie = {"vantrexia_console": session["value"]}
    answer = httpx.get(f"{console.url}/console/", cookies=old_cookie, follow_redirects=False)
    assert (answer.status_code, answer.headers["location"]) == (303, "/console/login?next=/console")
    page.goto(f"{console.url}/console/")
    expect(page).to_have_url(re.compile(r"/console/login\?next=/console$"))


def test_every_console_area_loads_without_a_browser_error(page: Page, console: Console,
                                                           signed_in: Callable[..., str]) -> None:
    errors: list[str] = []  # a missing icon, script or style shows here as "Failed to load resource"
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    signed_in(page, role=Role.ADMIN)
    for area in ("", "alerts", "patients", "devices", "billing", "emr", "audit"):
        page.goto(f"{console.url}/console/{area}")
        page.wait_for_load_state("networkidle")
    assert errors == []
    icon = page.locator("link[rel=icon]").get_attribute("href")
    assert icon is not None
    served = page.request.get(f"{console.url}{icon}")
    assert (served.status, served.headers["content-type"]) == (200, "image/svg+xml")
