"""Helpers of the browser tests: the live console, signing in through the form, axe-core checks."""

from __future__ import annotations

import json
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import httpx

from domain.patients import DEFAULT_PRACTICE
from domain.users import Role
from tests.conftest import run_async
from tests.support.api import add_user, sign_in
from tests.support.world import World

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips (or fails under CI=true) before any test gets here
    expect = None  # type: ignore[assignment]

if TYPE_CHECKING:
    from playwright.sync_api import Page

T = TypeVar("T")
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
BLOCKING_IMPACTS = {"serious", "critical"}


@dataclass
class Console:
    """A live server of the whole app (API and console) on the World's fakes."""

    url: str
    world: World

    def api(self, work: Callable[[httpx.AsyncClient], Awaitable[T]]) -> T:
        """Arrange data through the HTTP API: `work(client)` runs with an httpx client on this server."""

        async def run() -> T:
            async with httpx.AsyncClient(base_url=self.url, timeout=10) as client:
                return await work(client)

        return run_async(run)

    def api_session(self, role: Role = Role.CLINICIAN, practice: str = DEFAULT_PRACTICE) -> dict[str, str]:
        """Bearer headers of a new API user of `role` in `practice`."""
        username, password = add_user(self.world, f"api-{role.value}-{uuid.uuid4().hex[:6]}", role, practice)
        return self.api(lambda client: sign_in(client, username, password))


def sign_in_with_form(page: Page, console: Console, username: str, password: str) -> None:
    page.goto(f"{console.url}/console/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def sign_in_as_new_user(page: Page, *, console: Console, role: Role = Role.CLINICIAN,
                        practice: str = DEFAULT_PRACTICE) -> str:
    """A new user of `role` in `practice`, signed in on `page` through the sign-in form; returns the username."""
    username, password = add_user(console.world, f"{role.value}-{uuid.uuid4().hex[:6]}", role, practice)
    sign_in_with_form(page, console, username, password)
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    return username


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on the page as it is now (WCAG 2.x A/AA rules).

    The page's context must bypass CSP (the `axe_page` fixture): the script is injected by the test only.
    """
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async () => await axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})"
    )
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"],
         "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"] if v["impact"] in BLOCKING_IMPACTS
    ]


def describe(violations: list[dict[str, Any]]) -> str:
    return json.dumps(violations, indent=1)
