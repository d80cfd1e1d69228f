"""Migrations: up, all the way down and up again on both databases, matching the tables module."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.sql.migrate import alembic_config, downgrade, run_migrations
from adapters.sql.tables import ALL_TABLES, metadata

TABLES = {table.name for table in ALL_TABLES}
HEAD = ScriptDirectory.from_config(alembic_config("sqlite+aiosqlite:///unused")).get_current_head()


def _schema(connection: Connection) -> dict[str, Any]:
    """Tables, migration revision and any difference between the database and tables.py."""
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return {
        "tables": set(inspect(connection).get_table_names()) - {"alembic_version"},
        "revision": context.get_current_revision(),
        "drift": compare_metadata(context, metadata),
    }


async def _up_down_up(url: str, engine_factory: Callable[[str], AsyncEngine]) -> None:
    engine = engine_factory(url)
    run_migrations(url)  # called while an event loop runs: alembic gets a thread of its own
    async with engine.connect() as connection:
        assert await connection.run_sync(_schema) == {"tables": TABLES, "revision": HEAD, "drift": []}

    downgrade(url, "base")
    async with engine.connect() as connection:
        after_downgrade = await connection.run_sync(_schema)
    assert (after_downgrade["tables"], after_downgrade["revision"]) == (set(), None)

    run_migrations(url, "head")
    async with engine.connect() as connection:
        assert await connection.run_sync(_schema) == {"tables": TABLES, "revision": HEAD, "drift": []}


async def test_sqlite_upgrade_downgrade_upgrade(
    tmp_path: Path, engine_factory: Callable[[str], AsyncEngine]
) -> None:
    await _up_down_up(f"sqlite+aiosqlite:///{tmp_path / 'up-down.db'}", engine_factory)


@pytest.mark.postgres
async def test_postgres_upgrade_downgrade_upgrade(
    postgres_database_factory: Callable[[], str], engine_factory: Callable[[str], AsyncEngine]
) -> None:
    await _up_down_up(postgres_database_factory(), engine_factory)


def test_migrate_without_an_event_loop_creates_the_sqlite_folder(tmp_path: Path) -> None:
    database = tmp_path / "var" / "nested" / "vantrexia.db"
    run_migrations(f"sqlite+aiosqlite:///{database}")
    with sqlite3.connect(database) as connection:
        names = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        revision = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    assert names == TABLES | {"alembic_version"}
    assert revision == (HEAD,)


def test_other_databases_are_refused() -> None:
    with pytest.raises(ValueError, match="unsupported database"):
        run_migrations("mysql+aiomysql://root@localhost/vantrexia")
