"""pytest-bdd runs steps synchronously: each scenario gets its own event loop to drive the async app."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Iterator
from typing import Any, TypeVar

import pytest

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
