"""Every route but the public ones needs a valid bearer token; admin routes refuse clinicians.

The routes are enumerated from the app itself, so a new route is covered without editing this file.
"""

from __future__ import annotations

import re
from datetime import timedelta

from litestar import Litestar
from litestar.testing import AsyncTestClient

from domain.users import Role
from tests.support.api import add_user, login
from tests.support.world import World

PUBLIC = {"/health", "/.well-known/jwks.json", "/api/v1/auth/token", "/api/v1/webhooks/mioconnect/telemetry",
          "/api/v1/webhooks/mioconnect/status", "/api/v1/ecw/launch/callback"}
ADMIN_ONLY = {"/api/v1/audit", "/api/v1/sync/probe-sync_item_id/retry"}


def _routes(app: Litestar) -> list[tuple[str, str]]:
    found = []
    for route in app.routes:
        if route.path.startswith(("/schema", "/console")):  # the console's cookie session: tests/e2e/test_console_*
            continue
        path = re.sub(r"\{(\w+):\w+\}", r"probe-\1", route.path)
        found.extend((method, path) for method in sorted(route.methods) if method not in {"HEAD", "OPTIONS"})
    return found


async def test_every_non_public_route_answers_401_without_a_valid_token(
    app: Litestar, client: AsyncTestClient[Litestar]
) -> None:
    checked = 0
    for method, path in _routes(app):
        if path in PUBLIC:
            continue
        for headers in ({}, {"Authorization": "Bearer forged.token.value"}, {"Authorization": "Basic dXNlcjpwdw=="}):
            response = await client.request(method, path, headers=headers)
            assert response.status_code == 401, (method, path, response.status_code)
            assert response.headers["content-type"].startswith("application/problem+json")
        checked += 1
    assert checked >= 23  # grows with the API; a sudden drop means routes went missing


async def test_public_routes_are_exactly_the_intended_ones(app: Litestar) -> None:
    public = {route.path for route in app.routes for handler in route.route_handlers  # type: ignore[attr-defined]
              if handler.opt.get("exclude_from_auth") and not route.path.startswith("/console")}
    assert public == PUBLIC


async def test_admin_routes_refuse_clinicians(app: Litestar, client: AsyncTestClient[Litestar], world: World) -> None:
    clinician = await login(client, world, Role.CLINICIAN)
    admin = await login(client, world, Role.ADMIN)
    for method, path in _routes(app):
        if path in ADMIN_ONLY:
            assert (await client.request(method, path, headers=clinician)).status_code == 403
            assert (await client.request(method, path, headers=admin)).status_code not in (401, 403)


async def test_repeated_failed_logins_are_throttled(client: AsyncTestClient[Litestar], world: World) -> None:
    username, password = add_user(world, "dr-locked-out", Role.CLINICIAN)
    for _ in range(5):
        wrong = await client.post("/api/v1/auth/token", json={"username": username, "password": "not-the-password"})
        assert wrong.status_code == 401
    locked = await client.post("/api/v1/auth/token", json={"username": username, "password": password})
    assert locked.status_code == 429
    assert 0 < int(locked.headers["retry-after"]) <= 900
    world.clock.advance(timedelta(minutes=16))
    later = await client.post("/api/v1/auth/token", json={"username": username, "password": password})
    assert later.status_code == 200


async def test_security_headers_and_no_cors_by_default(client: AsyncTestClient[Litestar]) -> None:
    response = await client.get("/health", headers={"Origin": "https://evil.example"})
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "no-store"
    assert "default-src 'none'" in response.headers["content-security-policy"]
    assert "access-control-allow-origin" not in response.headers
    jwks = await client.get("/.well-known/jwks.json")
    assert "max-age=" in jwks.headers["cache-control"]  # the JWKS keeps its own caching


async def test_oversized_request_bodies_are_refused(client: AsyncTestClient[Litestar], auth: dict[str, str]) -> None:
    huge = {"ecw_patient_ids": ["x" * 100] * 20_000}
    response = await client.post("/api/v1/patients/import_selected_from_ecw/", json=huge, headers=auth)
    assert response.status_code == 413


async def test_logout_revokes_the_token(client: AsyncTestClient[Litestar], auth: dict[str, str]) -> None:
    assert (await client.get("/api/v1/patients/", headers=auth)).status_code == 200
    assert (await client.post("/api/v1/auth/logout", headers=auth)).status_code == 204
    after = await client.get("/api/v1/patients/", headers=auth)
    assert after.status_code == 401
    assert "revoked" in after.json()["detail"]
