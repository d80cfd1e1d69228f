"""The console on the real SQL adapter (SQLite and Postgres): the session's checks, the dashboard's lists and
the alert queue read the database, and a sign-out is stored there for every API process to see."""

from __future__ import annotations

from datetime import timedelta

from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.support.api import enrol_patient, login_stored, stored_user
from tests.support.app import deliver, fixture
from tests.support.console import SESSION_COOKIE, post_form
from tests.support.world import World

Client = AsyncTestClient[Litestar]


async def test_a_console_session_on_the_database(sql_client: Client, world: World) -> None:
    auth = await login_stored(sql_client, "dr-api")
    enrolment = await enrol_patient(sql_client, auth)
    await deliver(sql_client, fixture("bp_crisis"))
    password = await stored_user(sql_client, "dr-console")
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
