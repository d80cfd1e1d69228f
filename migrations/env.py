"""Alembic environment: an async engine for the URL that adapters.sql.migrate puts in the config."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection
from sqlalchemy.pool import NullPool

from adapters.sql.engine import create_engine
from adapters.sql.migrate import URL_ATTRIBUTE
from adapters.sql.tables import metadata

config = context.config


def _database_url() -> str:
    url = config.attributes.get(URL_ATTRIBUTE)
    if not url:
        raise RuntimeError("no database URL: run migrations through adapters.sql.migrate.run_migrations")
    return str(url)


def _configure(**options: object) -> None:
    # render_as_batch: SQLite can only ALTER tables by copying them, which batch mode does
    context.configure(target_metadata=metadata, render_as_batch=True, compare_type=True, **options)


def run_offline() -> None:
    _configure(url=_database_url(), literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def _run_on(connection: Connection) -> None:
    # our SQLite engine emits its own BEGIN, so SQLite DDL is transactional as well
    _configure(connection=connection, transactional_ddl=True)
    with context.begin_transaction():
        context.run_migrations()


async def run_online() -> None:
    engine = create_engine(_database_url(), poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_run_on)
    finally:
        await engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    asyncio.run(run_online())
