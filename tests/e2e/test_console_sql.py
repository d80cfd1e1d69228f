"""The console on the real SQL adapter (SQLite and Postgres): the session's checks, the dashboard's lists and
the alert queue read the database, and a sign-out is stored there for every API process to see."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from application.context import CLI
from application.users import CreateUser, CreateUserCommand
from domain.users import Role
from tests.support.api import enrol_patient, login_stored
from tests.support.app import build_app, container_of, deliver, fixture, in_app, settings_for_tests
from tests.support.console import SESSION_COOKIE, post_form
from tests.support.world import World

Client = AsyncTestClient[Litestar]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def sql_client(request: pytest.FixtureRequest, world: World) -> AsyncIterator[Client]:
    url: str = request.getfixturevalue(f"{request.param}_url")
    app = build_app(world, settings_for_tests(database_url=url), fake_database=False)
    async with AsyncTestClient(app=app) as client:
        yield client


async def _stored_user(client: Client, username: str) -> str:
    password = f"{username}-correct-horse"

    async def create() -> None:
        async with container_of(client.app)() as scope:
            await (await scope.get(CreateUser))(CreateUserCommand(username, Role.CLINICIAN, password, CLI))

    await in_app(client, create)
    return password


async def test_a_console_session_on_the_database(sql_client: Client, world: World) -> None:
    auth = await login_stored(sql_client, "dr-api")
    enrolment = await enrol_patient(sql_client, auth)
    await deliver(sql_client, fixture("bp_crisis"))
    password = await _stored_user(sql_client, "dr-console")
    signed_in = await post_form(sql_client, "/console/login", {"username": "dr-console", "password": password},
                                from_page="/console/login")
    assert signed_in.status_code == 303
    first = signed_in.cookies[SESSION_COOKIE]

    dashboard = await sql_client.get("/console/")
    assert dashboard.status_code == 200
    assert "Patients monitored" in dashboard.text
    queue = await sql_client.get("/console/alerts")
    assert f'href="/console/patients/{enrolment.patient_id}"' in queue.text

    world.clock.advance(timedelta(minutes=8))
    refreshed = await sql_client.get("/console/alerts")
    assert refreshed.cookies.get(SESSION_COOKIE) not in (None, first)
    signed_out = await post_form(sql_client, "/console/logout", {}, from_page="/console/")
    assert signed_out.status_code == 303
    old = {"cookie": f"{SESSION_COOKIE}={first}"}
    assert (await sql_client.get("/console/", headers=old, follow_redirects=False)).status_code == 303
