"""Console forms over the in-process test client: sign in through the sign-in form, then send a page's forms
with the CSRF token that page carries (the session and CSRF cookies stay on the client)."""

from __future__ import annotations

import re

import httpx
from litestar import Litestar
from litestar.testing import AsyncTestClient

from domain.patients import DEFAULT_PRACTICE
from domain.users import Role
from tests.support.api import add_user, enrol_patient
from tests.support.app import deliver, fixture
from tests.support.world import World

Client = AsyncTestClient[Litestar]
CSRF = re.compile(r'name="_csrf_token" value="([^"]+)"')


async def console_sign_in(client: Client, world: World, role: Role = Role.CLINICIAN,
                          practice: str = DEFAULT_PRACTICE) -> None:
    """A new user signed in through the console's sign-in form (the session cookie stays on `client`)."""
    username, password = add_user(world, f"console-{role.value}-{len(world.db.users)}", role, practice)
    form = await client.get("/console/login")
    answer = await client.post("/console/login", follow_redirects=False,
                               data={"username": username, "password": password, "_csrf_token": token_in(form)})
    assert answer.status_code == 303, answer.text


def token_in(response: httpx.Response) -> str:
    found = CSRF.search(response.text)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


async def post_form(client: Client, page: str, action: str, data: dict[str, object]) -> httpx.Response:
    """Open `page`, then send one of its forms to `action` with the page's CSRF token."""
    token = token_in(await client.get(page))
    return await client.post(action, data={**data, "_csrf_token": token}, follow_redirects=False)


async def patient_with_a_reading(client: Client, auth: dict[str, str]) -> str:
    """A patient of the default practice with a cuff that sent one blood-pressure reading; our id."""
    enrolled = await enrol_patient(client, auth)
    assert (await deliver(client, fixture("bp_normal"))).status_code == 202
    return enrolled.patient_id
