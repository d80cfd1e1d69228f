"""The console's session and CSRF without a browser: every page needs a session, the cookie's flags, sliding
idle expiry, sign-out revoking the whole session, the API's login lockout, no open redirect."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from domain.alerts import AlertStatus
from tests.support.api import add_user, enrol_patient, login
from tests.support.app import deliver, fixture
from tests.support.console import SESSION_COOKIE, console_sign_in, csrf_token_in, post_form
from tests.support.world import World

Client = AsyncTestClient[Litestar]
OPEN_ROUTES = {"/console/login", "/console/static/probe-file_path"}


def _console_routes(app: Litestar) -> list[tuple[str, str]]:
    found = []
    for route in app.routes:
        if route.path.startswith("/console"):
            path = re.sub(r"\{(\w+):\w+\}", r"probe-\1", route.path)
            found.extend((m, path) for m in sorted(route.methods) if m not in {"HEAD", "OPTIONS"})
    return found


async def test_every_console_page_sends_the_signed_out_to_sign_in(app: Litestar, client: Client) -> None:
    checked = 0
    for method, path in _console_routes(app):
        if path in OPEN_ROUTES or method != "GET":
            continue
        answer = await client.get(path, follow_redirects=False)
        assert (answer.status_code, answer.headers["location"]) == (303, f"/console/login?next={path}"), path
        htmx = await client.get(path, headers={"HX-Request": "true"}, follow_redirects=False)
        assert (htmx.status_code, htmx.headers["hx-redirect"]) == (200, f"/console/login?next={path}"), path
        checked += 1
    assert checked >= 3


async def test_a_polled_fragment_sends_the_page_it_was_on_back_to_sign_in(client: Client) -> None:
    answer = await client.get("/console/alerts/queue?v=x", follow_redirects=False, headers={
        "HX-Request": "true", "HX-Current-URL": "http://testserver.local/console/alerts?x=1"})
    assert answer.headers["hx-redirect"] == "/console/login?next=/console/alerts"


async def test_a_post_without_a_session_changes_nothing(app: Litestar, client: Client) -> None:
    page = await client.get("/console/login")
    for method, path in _console_routes(app):
        if method == "POST" and path not in OPEN_ROUTES:
            answer = await client.post(path, data={"_csrf_token": csrf_token_in(page.text)}, follow_redirects=False)
            assert answer.status_code == 303, path
            assert answer.headers["location"].startswith("/console/login?next=")


async def test_console_pages_are_not_cached_and_run_under_a_strict_policy(client: Client, world: World) -> None:
    await console_sign_in(client, world)
    for path in ("/console/", "/console/login", "/console/alerts"):
        answer = await client.get(path)
        assert answer.headers["cache-control"] == "no-store"
        policy = answer.headers["content-security-policy"]
        assert "script-src 'self'" in policy
        assert "style-src 'self'" in policy
        assert "frame-ancestors 'none'" in policy
        assert "unsafe-inline" not in policy


async def test_the_session_cookie_is_httponly_lax_for_the_console_only(client: Client, world: World) -> None:
    username, password = add_user(world, "dr-cookie")
    answer = await post_form(client, "/console/login", {"username": username, "password": password},
                             from_page="/console/login")
    (cookie,) = [c for c in answer.headers.get_list("set-cookie") if c.startswith(SESSION_COOKIE + "=")]
    flags = {part.strip().lower() for part in cookie.split(";")[1:]}
    assert {"httponly", "path=/console", "samesite=lax", "max-age=900"} <= flags
    assert "secure" not in flags  # plain HTTP here; see test_console_tls.py for TLS and trusted proxies


async def test_a_wrong_password_and_an_unknown_user_read_the_same(client: Client, world: World) -> None:
    username, _ = add_user(world, "dr-same")
    answers = [await post_form(client, "/console/login", {"username": name, "password": "wrong"},
                               from_page="/console/login") for name in (username, "nobody-at-all")]
    assert [a.status_code for a in answers] == [401, 401]
    assert all("Invalid username or password" in a.text for a in answers)
    assert SESSION_COOKIE not in client.cookies


async def test_the_apis_login_lockout_applies_to_the_console(client: Client, world: World) -> None:
    username, password = add_user(world, "dr-locked")
    for _ in range(5):
        await post_form(client, "/console/login", {"username": username, "password": "wrong"},
                        from_page="/console/login")
    locked = await post_form(client, "/console/login", {"username": username, "password": password},
                             from_page="/console/login")
    assert locked.status_code == 429
    assert "Too many failed sign-ins" in locked.text
    assert [e.action for e in world.audit.entries if e.action == "auth.lock"] == ["auth.lock"]
    api = await client.post("/api/v1/auth/token", json={"username": username, "password": password})
    assert api.status_code == 429  # one throttle for both doors


@pytest.mark.parametrize("next_path", ["//evil.example/x", "https://evil.example/", "/api/v1/patients", "/\\evil"])
async def test_signing_in_never_sends_the_user_off_the_console(client: Client, world: World, next_path: str) -> None:
    username, password = add_user(world, "dr-next")
    answer = await post_form(client, "/console/login", {"username": username, "password": password,
                                                        "next": next_path}, from_page="/console/login")
    assert answer.headers["location"] == "/console/"


async def test_the_session_slides_while_used_and_ends_when_idle(client: Client, world: World) -> None:
    first = await console_sign_in(client, world)
    world.clock.advance(timedelta(minutes=8))  # past half of the 15-minute lifetime: a fresh token comes back
    used = await client.get("/console/", follow_redirects=False)
    second = used.cookies.get(SESSION_COOKIE)
    assert used.status_code == 200
    assert second not in (None, first)
    world.clock.advance(timedelta(minutes=8))  # 16 minutes after sign-in, 8 after the last use
    assert (await client.get("/console/", follow_redirects=False)).status_code == 200
    world.clock.advance(timedelta(minutes=16))  # idle longer than the lifetime
    assert (await client.get("/console/", follow_redirects=False)).status_code == 303


async def test_signing_out_revokes_every_token_of_the_session(client: Client, world: World) -> None:
    await console_sign_in(client, world)
    world.clock.advance(timedelta(minutes=8))
    second = (await client.get("/console/")).cookies.get(SESSION_COOKIE)  # re-issued, valid for 15 minutes
    assert second
    world.clock.advance(timedelta(minutes=8))  # half-used again: signing out must not hand out a fresh token
    with_second = {"cookie": f"{SESSION_COOKIE}={second}"}  # an earlier token of the session, not expired
    assert (await client.get("/console/alerts", headers=with_second, follow_redirects=False)).status_code == 200
    answer = await post_form(client, "/console/logout", {}, from_page="/console/")
    assert (answer.status_code, answer.headers["location"]) == (303, "/console/login")
    assert SESSION_COOKIE not in client.cookies
    assert (await client.get("/console/", headers=with_second, follow_redirects=False)).status_code == 303


async def test_acknowledging_without_the_csrf_token_is_refused_and_changes_nothing(
    client: Client, auth: dict[str, str], world: World
) -> None:
    await enrol_patient(client, auth)
    await deliver(client, fixture("bp_crisis"))
    (alert,) = world.db.alerts.values()
    await console_sign_in(client, world)
    path = f"/console/alerts/{alert.id}/acknowledge"
    for form in ({}, {"_csrf_token": "forged"}):
        refused = await client.post(path, data=form, follow_redirects=False)
        assert refused.status_code == 403
        assert "<title>Refused" in refused.text
    assert world.db.alerts[alert.id].status is AlertStatus.OPEN
    accepted = await post_form(client, path, {}, from_page="/console/alerts")
    assert accepted.status_code == 303
    assert world.db.alerts[alert.id].status is AlertStatus.ACKNOWLEDGED


async def test_the_api_and_webhooks_need_no_csrf_token(client: Client, world: World) -> None:
    auth = await login(client, world)
    await enrol_patient(client, auth)
    assert (await deliver(client, fixture("bp_crisis"))).status_code == 202
    (alert,) = world.db.alerts.values()
    acked = await client.post(f"/api/v1/alerts/{alert.id}/acknowledge", headers=auth)
    assert acked.status_code == 200


async def test_another_practices_alert_is_not_found(client: Client, auth: dict[str, str], world: World) -> None:
    await enrol_patient(client, auth)
    await deliver(client, fixture("bp_crisis"))
    (alert,) = world.db.alerts.values()
    await console_sign_in(client, world, practice="elsewhere")
    queue = await client.get("/console/alerts")
    assert "No open alerts." in queue.text
    assert alert.id not in queue.text
    answer = await post_form(client, f"/console/alerts/{alert.id}/acknowledge", {}, from_page="/console/alerts")
    assert answer.status_code == 404
    assert "<title>Not found — Vantrexia console</title>" in answer.text
    assert world.db.alerts[alert.id].status is AlertStatus.OPEN


async def test_a_resolve_without_a_note_is_refused_with_a_message(client: Client, auth: dict[str, str],
                                                                  world: World) -> None:
    await enrol_patient(client, auth)
    await deliver(client, fixture("bp_crisis"))
    (alert,) = world.db.alerts.values()
    await console_sign_in(client, world)
    answer = await post_form(client, f"/console/alerts/{alert.id}/resolve", {"note": "  "},
                             from_page="/console/alerts")
    assert answer.status_code == 422
    assert "Write a note saying what was done" in answer.text
    assert world.db.alerts[alert.id].status is AlertStatus.OPEN


@pytest.mark.parametrize("path", ["console.css", "htmx/htmx.min.js"])
async def test_the_stylesheet_and_htmx_are_served_without_a_session(client: Client, path: str) -> None:
    answer = await client.get(f"/console/static/{path}")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith(("text/css", "text/javascript"))


@pytest.mark.parametrize("path", ["../app.py", "..%2fapp.py", "htmx/LICENSE", "htmx/VERSION", "nothing.css"])
async def test_nothing_else_is_served_as_static(client: Client, path: str) -> None:
    assert (await client.get(f"/console/static/{path}")).status_code == 404
