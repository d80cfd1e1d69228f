"""A provider's SMART standalone launch over HTTP: our redirect, the EMR's authorize step, our callback."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Iterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from adapters.fhir.launch import StandaloneLaunch
from adapters.fhir.launches import PracticeLaunches
from domain.emr_connections import EmrConnection, EmrVendor
from domain.ports import UserLaunch
from entrypoints.sandbox import AUTHORIZE_PATH, SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET
from entrypoints.sandbox.serve import SMART_MODE, RunningSandbox, serve_sandbox
from entrypoints.sandbox.state import SandboxState
from tests.support.api import login
from tests.support.app import build_app, container_of, in_app, settings_for_tests
from tests.support.world import World

CALLBACK = "http://127.0.0.1:8000/api/v1/ecw/launch/callback"
TEST_CLIENT = "http://testserver.local/"  # the test's own client logs the URLs it calls: not the app's logs
AUTHORIZE_AT = AUTHORIZE_PATH + "?tenant=north"  # our configured endpoint: discovery would not add the tenant


@pytest.fixture
def sandbox() -> Iterator[RunningSandbox]:
    with serve_sandbox(_no_keys, state=SandboxState.seeded(3)) as running:
        yield running


@pytest.fixture
async def sandbox_client(world: World, sandbox: RunningSandbox) -> AsyncIterator[AsyncTestClient[Litestar]]:
    """The app on the eCW adapter, pointed at the sandbox, with ECW_AUTHORIZE_URL set (not discovered)."""
    settings = settings_for_tests(
        emr="ecw", ecw_client_id=SANDBOX_CLIENT_ID, ecw_client_secret=SANDBOX_CLIENT_SECRET,
        ecw_practice_code="FFHEDD", ecw_fhir_base_url=sandbox.fhir_base_url, ecw_token_url=sandbox.token_url,
        ecw_authorize_url=sandbox.origin + AUTHORIZE_AT)
    async with AsyncTestClient(app=build_app(world, settings, fake_emr=False)) as client:
        yield client


async def _no_keys() -> list[dict[str, str]]:
    return []  # user launches need no client assertion


async def _authorized_callback(client: AsyncTestClient[Litestar], auth: dict[str, str]) -> dict[str, str]:
    start = await client.get("/api/v1/ecw/launch/", headers=auth, follow_redirects=False)
    assert start.status_code == 302
    authorize = start.headers["location"]
    assert urlsplit(authorize).path == AUTHORIZE_PATH
    query = {k: v[0] for k, v in parse_qs(urlsplit(authorize).query).items()}
    assert query["tenant"] == "north"  # ECW_AUTHORIZE_URL, not discovery
    assert (query["code_challenge_method"], query["redirect_uri"]) == ("S256", CALLBACK)
    async with httpx.AsyncClient() as browser:  # the user's browser at the EMR, which approves at once
        approved = await browser.get(authorize)
    back = urlsplit(approved.headers["location"])
    assert f"{back.scheme}://{back.netloc}{back.path}" == CALLBACK
    return {k: v[0] for k, v in parse_qs(back.query).items()}


async def test_a_launch_links_the_users_emr_account_without_showing_or_keeping_its_tokens(
    sandbox_client: AsyncTestClient[Litestar], sandbox: RunningSandbox, world: World,
    caplog: pytest.LogCaptureFixture,
) -> None:
    auth = await login(sandbox_client, world)
    returned = await _authorized_callback(sandbox_client, auth)
    linked = await sandbox_client.get("/api/v1/ecw/launch/callback", params=returned)
    assert linked.status_code == 200, linked.text
    assert linked.json()["status"] == "linked"
    assert "patient/Observation.read" in linked.json()["scope"]
    (token,) = sandbox.state.tokens  # the user's access token, as the EMR issued it
    ours = "\n".join(r.getMessage() for r in caplog.records if TEST_CLIENT not in r.getMessage())
    assert token not in linked.text
    assert token not in ours
    assert returned["code"] not in ours
    launch = await in_app(sandbox_client, lambda: container_of(sandbox_client.app).get(UserLaunch))
    assert isinstance(launch, PracticeLaunches)
    assert not _holds(launch, token), "the launch kept the user's token although nothing uses it"
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


def _holds(value: object, secret: str, depth: int = 0) -> bool:
    """Whether the secret is anywhere in the object's own data (containers and dataclasses, not its clients)."""
    if depth > 6:
        return False
    if isinstance(value, str):
        return secret in value
    if isinstance(value, dict):
        return any(_holds(k, secret, depth + 1) or _holds(v, secret, depth + 1) for k, v in value.items())
    if isinstance(value, list | tuple | set | frozenset):
        return any(_holds(item, secret, depth + 1) for item in value)
    if dataclasses.is_dataclass(value) or isinstance(value, StandaloneLaunch | PracticeLaunches):
        return any(_holds(v, secret, depth + 1) for v in vars(value).values())
    if callable(value) and getattr(value, "__closure__", None):  # what a practice's launch factory keeps
        return any(_holds(cell.cell_contents, secret, depth + 1) for cell in value.__closure__ or ())
    return False


async def test_a_clinicians_launch_goes_to_their_own_practices_emr(
    sandbox_client: AsyncTestClient[Litestar], world: World,
) -> None:
    with serve_sandbox(_no_keys, state=SandboxState.seeded(1), paths=SMART_MODE) as north:
        at = world.clock.now()
        clinic = EmrConnection(id="conn-north", practice_id="north", vendor=EmrVendor.SMART,
                               fhir_base_url=north.fhir_base_url, client_id=SANDBOX_CLIENT_ID, created_at=at,
                               updated_at=at, has_client_secret=True)
        world.db.emr_connections[clinic.id] = clinic
        world.keys.secrets[clinic.secret_name] = SANDBOX_CLIENT_SECRET
        auth = await login(sandbox_client, world, practice_id="north")
        start = await sandbox_client.get("/api/v1/ecw/launch/", headers=auth, follow_redirects=False)
        authorize = start.headers["location"]
        assert authorize.startswith(north.authorize_url + "?")  # discovered at the clinic's own EMR
        async with httpx.AsyncClient() as browser:
            approved = await browser.get(authorize)
        returned = {k: v[0] for k, v in parse_qs(urlsplit(approved.headers["location"]).query).items()}
        linked = await sandbox_client.get("/api/v1/ecw/launch/callback", params=returned)
        assert (linked.status_code, linked.json()["status"]) == (200, "linked")
        assert len(north.state.tokens) == 1  # the code was exchanged there, with the clinic's secret
        nowhere = await login(sandbox_client, world, practice_id="south")
        refused = await sandbox_client.get("/api/v1/ecw/launch/", headers=nowhere, follow_redirects=False)
        assert (refused.status_code, refused.json()["title"]) == (409, "No EMR connection")
