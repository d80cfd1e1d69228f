"""Statements sent through the driver belong to the unit of work's transaction on PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.sql.driver import driver_of
from adapters.sql.engine import STATEMENT_LIFETIME_SECONDS

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


async def _prepared_names(driver: asyncpg.Connection[Any], statement: str) -> set[str]:
    rows = await driver.fetch("SELECT name FROM pg_prepared_statements WHERE statement = $1", statement)
    return {str(row["name"]) for row in rows}


@pytest.mark.slow
async def test_a_hot_statement_is_prepared_and_planned_afresh_once_its_lifetime_has_passed(engine: AsyncEngine) -> None:
    """Postgres keeps one generic plan per prepared statement; one made while the outbox was nearly empty would
    scan the whole table on every claim. The driver's statements are made again after STATEMENT_LIFETIME_SECONDS."""
    await _scratch(engine)
    statement = "SELECT count(*) FROM driver_probe WHERE n > $1"
    async with engine.connect() as connection:
        driver = await driver_of(connection)
        for n in range(6):  # past Postgres's five custom plans: the generic plan is made and kept
            await driver.fetchval(statement, n)
        first = await _prepared_names(driver, statement)
        await driver.fetchval(statement, 0)
        assert await _prepared_names(driver, statement) == first  # within its lifetime: the same statement
        await asyncio.sleep(STATEMENT_LIFETIME_SECONDS + 1)
        await driver.fetchval(statement, 0)
        again = await _prepared_names(driver, statement)
    assert len(first) == 1
    assert again
    assert again.isdisjoint(first)
