"""Fixtures shared by every test folder: the World of fakes, migrated SQLite files and Postgres databases."""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

import asyncpg
import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.sql.engine import create_engine
from adapters.sql.migrate import run_migrations
from adapters.sql.tables import ALL_TABLES
from tests.support.world import World

DEFAULT_POSTGRES = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
T = TypeVar("T")


BROWSER_TESTS = Path(__file__).parent / "browser"


def _in_browser_tests(item: pytest.Item) -> bool:
    return BROWSER_TESTS in item.path.parents


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests marked slow run first, so a long one overlaps the rest under xdist instead of ending the run
    alone; browser tests run last (in each xdist worker too), so their Chromium starts once per process."""
    items.sort(key=lambda item: 2 if _in_browser_tests(item) else 0 if item.get_closest_marker("slow") else 1)


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Playwright's sync API holds the main thread's event loop: stop it before any other test."""
    chromium = sys.modules.get("tests.browser.chromium")
    if chromium is not None and not _in_browser_tests(item):
        chromium.shutdown()


def pytest_sessionfinish() -> None:
    chromium = sys.modules.get("tests.browser.chromium")
    if chromium is not None:
        chromium.shutdown()


@pytest.fixture
def world() -> World:
    """A fresh World of stateful fakes (tests/support/world.py) for this test."""
    return World()


def run_async(action: Callable[[], Awaitable[T]]) -> T:
    """Run a coroutine from synchronous code, on a private loop in a thread of its own."""
    async def main() -> T:
        return await action()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, main()).result()


def asyncpg_dsn(url: str) -> str:
    """A SQLAlchemy URL as a plain DSN for asyncpg (administrative statements)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    run_migrations(f"sqlite+aiosqlite:///{path}")
    return path


@pytest.fixture
def sqlite_url(sqlite_template: Path, tmp_path: Path) -> str:
    """A migrated, empty SQLite database of this test's own (a copy of the session template)."""
    target = tmp_path / "vantrexia.db"
    shutil.copyfile(sqlite_template, target)
    return f"sqlite+aiosqlite:///{target}"


@pytest.fixture(scope="session")
def postgres_server() -> str:
    """The server URL (its `postgres` database); skips, or fails under CI=true, when it is down."""
    url = os.environ.get("TEST_POSTGRES_URL", DEFAULT_POSTGRES)

    async def ping() -> None:
        connection = await asyncpg.connect(asyncpg_dsn(url), timeout=5)
        await connection.close()

    try:
        run_async(ping)
    except (OSError, asyncpg.PostgresError, TimeoutError) as error:
        message = f"PostgreSQL is not reachable at {make_url(url).render_as_string()}: {error}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return url


@pytest.fixture(scope="session")
def postgres_database_factory(postgres_server: str) -> Iterator[Callable[[], str]]:
    """Creates uniquely named scratch databases (dropped WITH (FORCE) at the end of the session)."""
    created: list[str] = []

    def create() -> str:
        name = f"vantrexia_test_{uuid.uuid4().hex[:16]}"
        run_async(lambda: _admin(postgres_server, f'CREATE DATABASE "{name}"'))
        created.append(name)
        return make_url(postgres_server).set(database=name).render_as_string(hide_password=False)

    yield create
    for name in created:
        run_async(lambda name=name: _admin(postgres_server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def postgres_database(postgres_database_factory: Callable[[], str]) -> str:
    url = postgres_database_factory()
    run_migrations(url)
    return url


@pytest.fixture
def postgres_url(postgres_database: str) -> Iterator[str]:
    """A migrated, empty Postgres database (this session's, truncated around each test)."""
    run_async(lambda: _truncate(postgres_database))
    yield postgres_database
    run_async(lambda: _truncate(postgres_database))


@pytest.fixture
async def engine_factory() -> AsyncIterator[Callable[[str], AsyncEngine]]:
    """Builds engines with the production settings; disposes of them after the test."""
    engines: list[AsyncEngine] = []

    def make(database_url: str) -> AsyncEngine:
        engines.append(create_engine(database_url))
        return engines[-1]

    yield make
    for engine in engines:
        await engine.dispose()


async def _admin(server_url: str, statement: str) -> None:
    connection = await asyncpg.connect(asyncpg_dsn(server_url))
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


async def _truncate(database_url: str) -> None:
    names = ", ".join(f'"{table.name}"' for table in ALL_TABLES)
    connection = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        # a test that leaks an open transaction must fail loudly, not hang the suite
        await connection.execute("SET lock_timeout = '10s'")
        await connection.execute(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
    finally:
        await connection.close()
