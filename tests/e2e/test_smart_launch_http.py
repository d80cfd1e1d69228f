"""A provider's SMART standalone launch over HTTP: our redirect, the EMR's authorize step, our callback."""

from __future__ import annotations

from collections.abc import AsyncIterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from adapters.fhir.launch import UserLaunch
from tests.support.api import login
from tests.support.app import build_app, container_of, in_app, settings_for_tests
from tests.support.world import World

CALLBACK = "http://127.0.0.1:8000/api/v1/ecw/launch/callback"


@pytest.fixture
async def sandbox_client(world: World) -> AsyncIterator[AsyncTestClient[Litestar]]:
    app = build_app(world, settings_for_tests(emr="sandbox", synthetic_patients=3), fake_emr=False)
    async with AsyncTestClient(app=app) as client:
        yield client


async def _authorized_callback(client: AsyncTestClient[Litestar], auth: dict[str, str]) -> dict[str, str]:
    start = await client.get("/api/v1/ecw/launch/", headers=auth, follow_redirects=False)
    assert start.status_code == 302
    authorize = start.headers["location"]
    query = {k: v[0] for k, v in parse_qs(urlsplit(authorize).query).items()}
    assert (query["code_challenge_method"], query["redirect_uri"]) == ("S256", CALLBACK)
    async with httpx.AsyncClient() as browser:  # the user's browser at the EMR, which approves at once
        approved = await browser.get(authorize)
    back = urlsplit(approved.headers["location"])
    assert f"{back.scheme}://{back.netloc}{back.path}" == CALLBACK
    return {k: v[0] for k, v in parse_qs(back.query).items()}


async def test_a_launch_links_the_users_emr_account_without_showing_its_tokens(
    sandbox_client: AsyncTestClient[Litestar], world: World, caplog: pytest.LogCaptureFixture
) -> None:
    auth = await login(sandbox_client, world)
    returned = await _authorized_callback(sandbox_client, auth)
    linked = await sandbox_client.get("/api/v1/ecw/launch/callback", params=returned)
    assert linked.status_code == 200, linked.text
    assert linked.json()["status"] == "linked"
    assert "patient/Observation.read" in linked.json()["scope"]
    launch = (await in_app(sandbox_client, lambda: _launch_of(sandbox_client))).launch
    token = launch.token_of(world_user_id(world)) if launch else None
    assert token is not None
    assert token.access_token not in linked.text
    assert token.access_token not in caplog.text
    assert returned["code"] not in caplog.text
    actions = [(e.action, e.outcome.value) for e in world.audit.entries if e.action.startswith("emr.launch")]
    assert actions == [("emr.launch.start", "success"), ("emr.launch.complete", "success")]


async def test_a_state_works_once_and_a_forged_one_never(
    sandbox_client: AsyncTestClient[Litestar], world: World
) -> None:
    auth = await login(sandbox_client, world)
    returned = await _authorized_callback(sandbox_client, auth)
    forged = await sandbox_client.get("/api/v1/ecw/launch/callback", params={**returned, "state": "forged"})
    assert forged.status_code == 400
    assert forged.json()["error"] == "invalid_state"
    assert (await sandbox_client.get("/api/v1/ecw/launch/callback", params=returned)).status_code == 200
    replay = await sandbox_client.get("/api/v1/ecw/launch/callback", params=returned)
    assert (replay.status_code, replay.json()["error"]) == (400, "invalid_state")


async def test_the_fake_emr_has_no_launch(client: AsyncTestClient[Litestar], auth: dict[str, str]) -> None:
    answer = await client.get("/api/v1/ecw/launch/", headers=auth)
    assert answer.status_code == 409
    assert "VANTREXIA_EMR" in answer.json()["detail"]


async def _launch_of(client: AsyncTestClient[Litestar]) -> UserLaunch:
    launch: UserLaunch = await container_of(client.app).get(UserLaunch)
    return launch


def world_user_id(world: World) -> str:
    return next(iter(world.store.committed.users))
