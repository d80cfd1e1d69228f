"""HTTP tests: the real Litestar app and dishka container, every port overridden by fakes."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from domain.users import Role
from tests.support.api import login
from tests.support.app import build_app
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
