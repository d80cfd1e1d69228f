"""The session cookie is Secure when the browser reached us over TLS: directly, or through a proxy the settings
trust that says so (X-Forwarded-Proto); a header from anyone else is not believed."""

from __future__ import annotations

import httpx
import pytest
from litestar.testing import AsyncTestClient

from tests.support.api import add_user
from tests.support.app import build_app, settings_for_tests
from tests.support.console import SESSION_COOKIE, csrf_token_in
from tests.support.live import live_server
from tests.support.world import World


async def _session_cookie_flags(client: httpx.AsyncClient, world: World, headers: dict[str, str]) -> set[str]:
    username, password = add_user(world, f"dr-tls-{len(world.db.users)}")
    token = csrf_token_in((await client.get("/console/login")).text)
    answer = await client.post("/console/login", headers=headers, follow_redirects=False,
                               data={"username": username, "password": password, "_csrf_token": token})
    assert answer.status_code == 303
    (cookie,) = [c for c in answer.headers.get_list("set-cookie") if c.startswith(SESSION_COOKIE + "=")]
    return {part.strip().lower() for part in cookie.split(";")[1:]}


async def test_served_over_tls_the_cookie_is_secure(world: World) -> None:
    async with AsyncTestClient(app=build_app(world), base_url="https://console.example") as client:
        assert "secure" in await _session_cookie_flags(client, world, {})


@pytest.mark.parametrize(("trusted", "secure"), [("127.0.0.1/32", True), ("", False)],
                         ids=["trusted-proxy", "anyone"])
async def test_x_forwarded_proto_counts_from_a_trusted_proxy_only(world: World, trusted: str, secure: bool) -> None:
    app = build_app(world, settings_for_tests(trusted_proxies=trusted))
    with live_server(app, proxy_headers=False) as url:
        async with httpx.AsyncClient(base_url=url) as client:
            flags = await _session_cookie_flags(client, world, {"x-forwarded-proto": "https"})
    assert ("secure" in flags) is secure
