"""Deferred writes on PostgreSQL: what waits goes with the next statement or before COMMIT, is seen by
every later statement of its transaction, and is gone with a rollback."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from adapters.sql import pg_deferred
from adapters.sql.driver import driver_keeping_deferred, driver_of

pytestmark = pytest.mark.postgres


@pytest.fixture
async def engine(postgres_url: str, engine_factory: Callable[[str], AsyncEngine]) -> AsyncEngine:
    engine = engine_factory(postgres_url)
    async with engine.begin() as connection:
        for table in ("deferred_a", "deferred_b"):
            await connection.execute(text(f"CREATE TABLE IF NOT EXISTS {table} (n integer PRIMARY KEY, m integer)"))
            await connection.execute(text(f"TRUNCATE {table}"))
    return engine


async def _defer_insert(connection: AsyncConnection, table: str, *numbers: int) -> None:
    driver = await driver_keeping_deferred(connection)
    await pg_deferred.defer(driver, table, f"INSERT INTO {table} (n) SELECT unnest($1::int[])", [list(numbers)])


async def _rows(engine: AsyncEngine, table: str) -> list[tuple[int, int | None]]:
    async with engine.connect() as connection:
        rows = await connection.execute(text(f"SELECT n, m FROM {table} ORDER BY n"))  # noqa: S608 - own tables
        return [(int(n), m) for n, m in rows]


async def test_a_deferred_write_commits_with_its_transaction(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        await connection.begin()
        await _defer_insert(connection, "deferred_a", 1, 2)
        await connection.commit()
    assert await _rows(engine, "deferred_a") == [(1, None), (2, None)]


async def test_a_rollback_forgets_what_waited_and_the_connection_sends_it_never(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        await connection.begin()
        await _defer_insert(connection, "deferred_a", 1)
        await connection.rollback()
        await connection.begin()
        await _defer_insert(connection, "deferred_a", 2)
        await connection.commit()
    assert await _rows(engine, "deferred_a") == [(2, None)]


async def test_a_later_sqlalchemy_statement_and_driver_statement_see_a_deferred_write(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        await connection.begin()
        await _defer_insert(connection, "deferred_a", 1)
        assert (await connection.execute(text("SELECT count(*) FROM deferred_a"))).scalar_one() == 1
        await _defer_insert(connection, "deferred_a", 2)
        assert await (await driver_of(connection)).fetchval("SELECT count(*) FROM deferred_a") == 2
        await connection.rollback()


async def test_a_deferred_write_goes_with_a_statement_on_another_table(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        await connection.begin()
        await _defer_insert(connection, "deferred_a", 1)
        driver = await driver_keeping_deferred(connection)
        added = await pg_deferred.fetch(driver, "INSERT INTO deferred_b (n) VALUES ($1) RETURNING n", [7],
                                        frozenset({"deferred_b"}))
        assert [r["n"] for r in added] == [7]
        await connection.commit()
    assert await _rows(engine, "deferred_a") == [(1, None)]
    assert await _rows(engine, "deferred_b") == [(7, None)]


async def test_a_statement_on_the_same_table_sees_the_deferred_write(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        await connection.begin()
        await _defer_insert(connection, "deferred_a", 1)
        driver = await driver_keeping_deferred(connection)
        added = await pg_deferred.fetch(
            driver, "INSERT INTO deferred_a (n) VALUES (1), (2) ON CONFLICT (n) DO NOTHING RETURNING n", [],
            frozenset({"deferred_a"}))
        assert [r["n"] for r in added] == [2]
        await connection.commit()
    assert await _rows(engine, "deferred_a") == [(1, None), (2, None)]


async def test_two_deferred_updates_of_one_row_both_apply(engine: AsyncEngine) -> None:
    update = "UPDATE deferred_a SET m = coalesce(m, 0) + $1 WHERE n = 1"
    async with engine.connect() as connection:
        await connection.begin()
        await (await driver_of(connection)).execute("INSERT INTO deferred_a (n) VALUES (1)")
        driver = await driver_keeping_deferred(connection)
        await pg_deferred.defer(driver, "deferred_a", update, [10])
        await pg_deferred.defer(driver, "deferred_a", update, [5])
        await connection.commit()
    assert await _rows(engine, "deferred_a") == [(1, 15)]


async def test_a_deferred_write_before_a_savepoint_survives_its_rollback(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        await connection.begin()
        await _defer_insert(connection, "deferred_a", 1)
        savepoint = await connection.begin_nested()
        await connection.execute(text("INSERT INTO deferred_b (n) VALUES (2)"))
        await savepoint.rollback()
        await connection.commit()
    assert await _rows(engine, "deferred_a") == [(1, None)]
    assert await _rows(engine, "deferred_b") == []


async def test_a_deferred_write_after_a_savepoint_is_gone_with_its_rollback(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        await connection.begin()
        savepoint = await connection.begin_nested()
        await _defer_insert(connection, "deferred_a", 1)
        await savepoint.rollback()
        await _defer_insert(connection, "deferred_a", 2)
        await connection.commit()
    assert await _rows(engine, "deferred_a") == [(2, None)]


async def test_notifications_wait_for_the_flush_and_come_with_the_commit(
    engine: AsyncEngine, postgres_url: str, engine_factory: Callable[[str], AsyncEngine],
) -> None:
    heard: list[str] = []
    async with engine_factory(postgres_url).connect() as listening:
        listener = await driver_of(listening)
        await listener.add_listener("vantrexia_outbox", lambda *args: heard.append(args[3]))
        async with engine.connect() as connection:
            await connection.begin()
            driver = await driver_keeping_deferred(connection)
            await pg_deferred.defer(driver, "deferred_a", "INSERT INTO deferred_a (n) VALUES ($1)", [1], ["emr.push"])
            await connection.commit()
        await listener.fetchval("SELECT 1")  # a round trip: the notification has arrived before its answer
    assert heard == ["emr.push"]
    assert await _rows(engine, "deferred_a") == [(1, None)]
