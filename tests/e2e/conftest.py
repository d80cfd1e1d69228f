"""HTTP tests: the real Litestar app and dishka container, every port overridden by fakes."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from domain.users import Role
from tests.support.api import enrol_patient, login
from tests.support.app import build_app, deliver, fixture, settings_for_tests
from tests.support.world import World


@pytest.fixture
def app(world: World) -> Litestar:
    return build_app(world)


@pytest.fixture
async def client(app: Litestar) -> AsyncIterator[AsyncTestClient[Litestar]]:
    async with AsyncTestClient(app=app) as test_client:
        yield test_client


@pytest.fixture
async def auth(client: AsyncTestClient[Litestar], world: World) -> dict[str, str]:
    return await login(client, world, Role.CLINICIAN)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def sql_client(request: pytest.FixtureRequest, world: World) -> AsyncIterator[AsyncTestClient[Litestar]]:
    """The app on the real SQL adapter, once on SQLite and once on Postgres (every other port faked)."""
    url: str = request.getfixturevalue(f"{request.param}_url")
    app = build_app(world, settings_for_tests(database_url=url), fake_database=False)
    async with AsyncTestClient(app=app) as client:
        yield client


@pytest.fixture
async def patient_with_a_reading(client: AsyncTestClient[Litestar], auth: dict[str, str]) -> str:
    """Our id of a patient of the default practice whose cuff sent one blood-pressure reading."""
    enrolled = await enrol_patient(client, auth)
    assert (await deliver(client, fixture("bp_normal"))).status_code == 202
    return enrolled.patient_id
