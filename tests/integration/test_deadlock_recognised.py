"""Two transactions that lock the same rows in opposite orders: Postgres aborts one of them, and the error
reads as a transaction conflict (run it again) whether the statement went through SQLAlchemy or the driver."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from adapters.sql.driver import driver_of
from adapters.sql.engine import is_connection_error, is_transaction_conflict
from adapters.sql.unit_of_work import SqlAlchemyUnitOfWork
from tests.integration.builders import seeded

pytestmark = pytest.mark.postgres
TOUCH = "UPDATE devices SET firmware = firmware WHERE id = "


async def _via_sqlalchemy(connection: AsyncConnection, device_id: str) -> None:
    await connection.execute(text(TOUCH + ":id"), {"id": device_id})


async def _via_driver(connection: AsyncConnection, device_id: str) -> None:
    await (await driver_of(connection)).execute(TOUCH + "$1", device_id)


@pytest.mark.parametrize("touch", [_via_sqlalchemy, _via_driver], ids=["sqlalchemy", "driver"])
async def test_a_deadlock_postgres_breaks_is_a_transaction_conflict(
    postgres_url: str, engine_factory: Callable[[str], AsyncEngine],
    touch: Callable[[AsyncConnection, str], Awaitable[None]],
) -> None:
    engine = engine_factory(postgres_url)
    _, first = await seeded(SqlAlchemyUnitOfWork(engine))
    _, second = await seeded(SqlAlchemyUnitOfWork(engine))
    async with engine.connect() as one, engine.connect() as other:
        await one.begin()
        await other.begin()
        await _via_sqlalchemy(one, first.id)
        await _via_sqlalchemy(other, second.id)
        waiting = asyncio.ensure_future(touch(one, second.id))  # waits for `other`'s row
        results = await asyncio.gather(touch(other, first.id), waiting, return_exceptions=True)
    errors = [r for r in results if isinstance(r, BaseException)]
    assert len(errors) == 1
    assert is_transaction_conflict(errors[0])
    assert not is_connection_error(errors[0])
