"""The repository contract runs against every UnitOfWork: the fake, SQLite and Postgres."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.fakes.store import InMemoryStore
from adapters.fakes.unit_of_work import FakeUnitOfWork
from adapters.sql.unit_of_work import SqlAlchemyUnitOfWork
from domain.ports import UnitOfWork

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
