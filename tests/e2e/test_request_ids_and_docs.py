"""Every answer carries our request id; a caller's id is kept beside ours; the API docs run offline."""

from __future__ import annotations

import re
import uuid
from html.parser import HTMLParser

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.support.api import add_user
from tests.support.app import TELEMETRY
from tests.support.world import World

CLIENT_ID = "client-trace-0001"


def _our_id(response_id: str) -> None:
    assert str(uuid.UUID(response_id)) == response_id  # a UUID we made, nothing the caller chose


@pytest.mark.parametrize(
    ("method", "path", "headers", "content", "status"),
    [
        ("GET", "/api/v1/no-such-area", {}, b"", 404),
        ("DELETE", "/health", {}, b"", 405),
        ("POST", TELEMETRY, {"content-type": "application/json"}, b"[" + b"0," * 60_000 + b"0]", 413),
        ("POST", TELEMETRY, {"content-type": "text/plain"}, b"{}", 415),
        ("GET", "/api/v1/patients/", {}, b"", 401),
    ],
)
async def test_every_problem_carries_our_request_id(
    client: AsyncTestClient[Litestar], method: str, path: str, headers: dict[str, str], content: bytes, status: int,
) -> None:
    response = await client.request(method, path, headers={**headers, "x-request-id": CLIENT_ID}, content=content)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["request_id"] == response.headers["x-request-id"]
    _our_id(body["request_id"])
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "server" not in response.headers


async def test_an_oversized_body_on_an_authenticated_route_carries_our_request_id(
    client: AsyncTestClient[Litestar], auth: dict[str, str],
) -> None:
    huge = b'{"ecw_patient_ids": [' + b'"x",' * 300_000 + b'"x"]}'
    response = await client.post("/api/v1/patients/import_selected_from_ecw/", content=huge,
                                 headers={**auth, "content-type": "application/json"})
    assert response.status_code == 413
    assert response.json()["request_id"] == response.headers["x-request-id"]


async def test_a_callers_request_id_is_audited_beside_ours(
    client: AsyncTestClient[Litestar], auth: dict[str, str], world: World,
) -> None:
    response = await client.get("/api/v1/patients/", headers={**auth, "x-request-id": CLIENT_ID})
    assert response.status_code == 200
    entry = next(e for e in world.audit.entries if e.action == "patient.list")
    assert entry.request_id == response.headers["x-request-id"]
    _our_id(entry.request_id)
    assert entry.details["client_request_id"] == CLIENT_ID


@pytest.mark.parametrize("sent", ["x" * 129, "has space", "quote\"d", "semi;colon"])
async def test_a_malformed_caller_request_id_is_not_kept(
    client: AsyncTestClient[Litestar], auth: dict[str, str], world: World, sent: str,
) -> None:
    response = await client.get("/api/v1/patients/", headers={**auth, "x-request-id": sent})
    assert response.status_code == 200
    entry = next(e for e in world.audit.entries if e.action == "patient.list")
    assert "client_request_id" not in entry.details
    assert entry.request_id == response.headers["x-request-id"]


class _Page(HTMLParser):
    """Every script and stylesheet the page loads, and whether any script is inline."""

    def __init__(self) -> None:
        super().__init__()
        self.loads: list[str] = []
        self.inline_scripts = 0
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "script":
            self._in_script = True
            if found.get("src"):
                self.loads.append(str(found["src"]))
        if tag == "link" and found.get("href"):
            self.loads.append(str(found["href"]))

    def handle_endtag(self, tag: str) -> None:
        self._in_script = self._in_script and tag != "script"

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.inline_scripts += 1


async def test_the_api_docs_page_loads_everything_from_the_app_under_a_strict_policy(
    client: AsyncTestClient[Litestar],
) -> None:
    page = await client.get("/schema/swagger")
    assert page.status_code == 200
    parsed = _Page()
    parsed.feed(page.text)
    assert parsed.loads, "the page loads its script and styles"
    assert parsed.inline_scripts == 0
    for asset in parsed.loads:
        assert asset.startswith("/schema/assets/"), asset
        loaded = await client.get(asset)
        assert loaded.status_code == 200, asset
        assert len(loaded.content) > 100
    policy = dict(
        part.strip().split(" ", 1) for part in page.headers["content-security-policy"].split(";") if part.strip()
    )
    assert policy["script-src"] == "'self'"
    assert policy["default-src"] == "'none'"
    assert not re.search(r"https?://", page.text)


async def test_a_sign_in_is_audited_with_the_callers_request_id_beside_ours(
    client: AsyncTestClient[Litestar], world: World,
) -> None:
    username, password = add_user(world, "dr-trace")
    response = await client.post("/api/v1/auth/token", json={"username": username, "password": password},
                                 headers={"x-request-id": CLIENT_ID})
    assert response.status_code == 200
    entry = next(e for e in world.audit.entries if e.action == "auth.login")
    assert (entry.request_id, entry.details["client_request_id"]) == (response.headers["x-request-id"], CLIENT_ID)
    assert entry.actor != "anonymous"
