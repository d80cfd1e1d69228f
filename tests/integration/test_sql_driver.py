"""Statements sent through the driver belong to the unit of work's transaction on PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.sql.driver import driver_of

pytestmark = pytest.mark.postgres


@pytest.fixture
def engine(postgres_url: str, engine_factory: Callable[[str], AsyncEngine]) -> AsyncEngine:
    return engine_factory(postgres_url)


async def _scratch(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        await connection.execute(text("CREATE TABLE IF NOT EXISTS driver_probe (n integer)"))
        await connection.execute(text("TRUNCATE driver_probe"))


async def _count(engine: AsyncEngine) -> int:
    async with engine.connect() as connection:
        return int((await connection.execute(text("SELECT count(*) FROM driver_probe"))).scalar_one())


async def test_a_driver_statement_first_in_a_transaction_is_rolled_back_with_it(engine: AsyncEngine) -> None:
    await _scratch(engine)
    async with engine.connect() as connection:
        await connection.begin()
        driver = await driver_of(connection)
        await driver.execute("INSERT INTO driver_probe VALUES (1)")
        await connection.execute(text("INSERT INTO driver_probe VALUES (2)"))
        await connection.rollback()
    assert await _count(engine) == 0


async def test_driver_and_core_statements_commit_together(engine: AsyncEngine) -> None:
    await _scratch(engine)
    async with engine.connect() as connection:
        await connection.begin()
        await connection.execute(text("INSERT INTO driver_probe VALUES (1)"))
        driver = await driver_of(connection)
        await driver.execute("INSERT INTO driver_probe VALUES (2)")
        assert await driver.fetchval("SELECT count(*) FROM driver_probe") == 2
        await connection.commit()
    assert await _count(engine) == 2


async def test_a_pooled_connection_the_server_closed_is_replaced_before_a_statement_meets_it(
    engine: AsyncEngine, postgres_url: str, engine_factory: Callable[[str], AsyncEngine],
) -> None:
    async with engine.connect() as connection:
        closed_pid = (await connection.execute(text("SELECT pg_backend_pid()"))).scalar_one()
        driver = await driver_of(connection)
    async with engine_factory(postgres_url).connect() as admin:
        await admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": closed_pid})
    for _ in range(500):  # the server's goodbye reaches the pooled connection through the event loop
        if driver.is_closed():
            break
        await asyncio.sleep(0.01)
    assert driver.is_closed()

    async with engine.connect() as connection:
        assert (await connection.execute(text("SELECT pg_backend_pid()"))).scalar_one() != closed_pid


async def test_the_driver_stays_in_each_new_transaction_of_the_same_connection(engine: AsyncEngine) -> None:
    await _scratch(engine)
    async with engine.connect() as connection:
        await connection.begin()
        await (await driver_of(connection)).execute("INSERT INTO driver_probe VALUES (1)")
        await connection.commit()
        await connection.begin()
        await (await driver_of(connection)).execute("INSERT INTO driver_probe VALUES (2)")
        await connection.rollback()
    assert await _count(engine) == 1
