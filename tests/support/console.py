"""The console through the in-process test client (no browser): read a form's CSRF token, sign in, post a form.

The client keeps cookies (the session and the CSRF cookie) like a browser; redirects are not followed.
"""

from __future__ import annotations

import re

import httpx
from litestar import Litestar
from litestar.testing import AsyncTestClient

from domain.patients import DEFAULT_PRACTICE
from domain.users import Role
from tests.support.api import add_user, stored_user
from tests.support.world import World

CSRF_INPUT = re.compile(r'name="_csrf_token" value="([^"]+)"')
SESSION_COOKIE = "vantrexia_console"


def csrf_token_in(html: str) -> str:
    """The CSRF token of the first form on a console page."""
    found = CSRF_INPUT.search(html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


async def post_form(client: httpx.AsyncClient, path: str, form: dict[str, str], from_page: str) -> httpx.Response:
    """Post `form` the way the browser would after loading `from_page` (its CSRF token included)."""
    page = await client.get(from_page, follow_redirects=False)
    token = csrf_token_in(page.text)
    return await client.post(path, data={**form, "_csrf_token": token}, follow_redirects=False)


async def console_sign_in(client: httpx.AsyncClient, world: World, role: Role = Role.CLINICIAN,
                          practice: str = DEFAULT_PRACTICE, username: str | None = None) -> str:
    """A new user of `role` in `practice`, signed in to the console on `client`; returns the session token."""
    name, password = add_user(world, username or f"console-{role.value}-{len(world.db.users)}", role, practice)
    answer = await post_form(client, "/console/login", {"username": name, "password": password},
                             from_page="/console/login")
    assert answer.status_code == 303, answer.text
    token = answer.cookies.get(SESSION_COOKIE)
    assert token
    return token


async def console_sign_in_stored(client: AsyncTestClient[Litestar], username: str,
                                 role: Role = Role.CLINICIAN) -> str:
    """A new user stored in the app's database (see `stored_user`), signed in to the console; its password."""
    password = await stored_user(client, username, role)
    answer = await post_form(client, "/console/login", {"username": username, "password": password},
                             from_page="/console/login")
    assert answer.status_code == 303, answer.text
    return password
