"""pytest-bdd runs steps synchronously: each scenario gets its own event loop to drive the async app,
served from a World of stateful fakes."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Iterator
from typing import Any, TypeVar

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.support.app import build_app
from tests.support.world import World

T = TypeVar("T")


class Runner:
    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()

    def __call__(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return self.loop.run_until_complete(coroutine)


@pytest.fixture
def run() -> Iterator[Runner]:
    runner = Runner()
    yield runner
    runner.loop.close()


@pytest.fixture
def app(world: World) -> Litestar:
    return build_app(world)


@pytest.fixture
def client(app: Litestar, run: Runner) -> Iterator[AsyncTestClient[Litestar]]:
    test_client = AsyncTestClient(app=app)
    run(test_client.__aenter__())
    yield test_client
    run(test_client.__aexit__(None, None, None))
