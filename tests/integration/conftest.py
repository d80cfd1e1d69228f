"""Integration fixtures: every UnitOfWork (fake, SQLite, Postgres) and the SMART/FHIR sandbox."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.fakes.keystore import FakeKeyStore
from adapters.fakes.store import InMemoryStore
from adapters.fakes.unit_of_work import FakeUnitOfWork
from adapters.keys.file_store import FileKeyStore
from adapters.sql.unit_of_work import SqlAlchemyUnitOfWork
from domain.ports import UnitOfWork
from entrypoints.sandbox.serve import RunningSandbox, serve_sandbox
from entrypoints.sandbox.state import SandboxState
from tests.support.held_answers import serve_sandbox_holding_answers
from tests.support.pipeline import Emr

UowFactory = Callable[[], UnitOfWork]


@pytest.fixture(params=["fake", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def new_uow(request: pytest.FixtureRequest, engine_factory: Callable[[str], AsyncEngine]) -> UowFactory:
    """Makes units of work over one database (fresh for this test): each is a separate session."""
    if request.param == "fake":
        store = InMemoryStore()
        return lambda: FakeUnitOfWork(store)
    engine = engine_factory(request.getfixturevalue(f"{request.param}_url"))
    return lambda: SqlAlchemyUnitOfWork(engine)


@pytest.fixture
def uow(new_uow: UowFactory) -> UnitOfWork:
    return new_uow()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def sql_engine(request: pytest.FixtureRequest, engine_factory: Callable[[str], AsyncEngine]) -> AsyncEngine:
    """An engine on a migrated, empty database of each SQL dialect."""
    return engine_factory(request.getfixturevalue(f"{request.param}_url"))


@pytest.fixture(scope="module")
def keys() -> FakeKeyStore:
    """A key store whose first key is made outside any test's event loop (shared by a module's tests)."""
    store = FakeKeyStore()
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, store.signing_key()).result()
    return store


@pytest.fixture(scope="module")
def server(keys: FakeKeyStore) -> Iterator[RunningSandbox]:
    """The SMART/FHIR sandbox on a free loopback port, for a module's tests."""
    with serve_sandbox(keys.public_jwks) as running:
        yield running


@pytest.fixture
def emr(tmp_path: Path) -> Iterator[Emr]:
    """A fresh sandbox on a free port; the key file exists before any worker process reads it."""
    key_file = tmp_path / "keys.json"
    keys = FileKeyStore(key_file)
    keys.load()
    with serve_sandbox_holding_answers(keys.public_jwks, SandboxState.seeded(5)) as (sandbox, hold):
        yield Emr(sandbox, key_file, hold)


@pytest.fixture
def db(postgres_url: str, engine_factory: Callable[[str], AsyncEngine]) -> AsyncEngine:
    """A direct engine on this test's database, for the test's own reads and writes (never via the proxy)."""
    return engine_factory(postgres_url)
