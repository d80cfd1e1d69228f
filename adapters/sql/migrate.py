"""Run the Alembic migrations in the repository's migrations/ folder, programmatically."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import make_url

from adapters.sql.engine import dialect_name

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"
URL_ATTRIBUTE = "database_url"


def alembic_config(database_url: str) -> Config:
    """An Alembic Config without alembic.ini; migrations/env.py reads the URL from its attributes."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("path_separator", "os")
    config.attributes[URL_ATTRIBUTE] = database_url
    return config


def run_migrations(database_url: str, revision: str = "head") -> None:
    """Upgrade the database to `revision` (creating a SQLite file's folder if needed)."""
    _ensure_sqlite_folder(database_url)
    _run(lambda config: command.upgrade(config, revision), database_url)


def downgrade(database_url: str, revision: str = "base") -> None:
    """Downgrade the database to `revision` ("base" drops every table)."""
    _run(lambda config: command.downgrade(config, revision), database_url)


def _run(action: Callable[[Config], None], database_url: str) -> None:
    dialect_name(database_url)
    config = alembic_config(database_url)
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        action(config)
        return
    # env.py drives the async engine with asyncio.run, which cannot nest inside a running loop.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="alembic") as pool:
        pool.submit(action, config).result()


def _ensure_sqlite_folder(database_url: str) -> None:
    url = make_url(database_url)
    database = url.database or ""
    if dialect_name(url) == "sqlite" and database and database != ":memory:" and not database.startswith("file:"):
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
