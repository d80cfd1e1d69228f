"""A unit of work's audit entries commit or roll back with its work (fake, SQLite, Postgres)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.fakes.audit import FakeAuditLog
from adapters.fakes.store import InMemoryStore
from adapters.fakes.unit_of_work import FakeUnitOfWork
from adapters.sql.audit import SqlAuditLog
from adapters.sql.unit_of_work import SqlAlchemyUnitOfWork
from domain.audit import AuditEntry, AuditOutcome, AuditQuery
from domain.ports import AuditLog, UnitOfWork

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
Backend = tuple[Callable[[], UnitOfWork], AuditLog]


def entry(n: int) -> AuditEntry:
    return AuditEntry(T0 + timedelta(seconds=n), "webhook", "webhook.delivery", "Delivery", AuditOutcome.SUCCESS,
                      (f"delivery-{n}",), f"req-{n}", {"status": "accepted"})


@pytest.fixture(params=["fake", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest, engine_factory: Callable[[str], AsyncEngine]) -> Backend:
    """Units of work and the audit log they write to, over one fresh database."""
    if request.param == "fake":
        store, log = InMemoryStore(), FakeAuditLog()
        return lambda: FakeUnitOfWork(store, log), log
    engine = engine_factory(request.getfixturevalue(f"{request.param}_url"))
    return lambda: SqlAlchemyUnitOfWork(engine), SqlAuditLog(engine)


async def logged(log: AuditLog) -> list[str]:
    found, _ = await log.search(AuditQuery(limit=100))
    return [stored.entry.resource_ids[0] for stored in reversed(found)]


async def test_entries_appear_only_once_the_transaction_commits(backend: Backend) -> None:
    new_uow, log = backend
    async with new_uow() as uow:
        await uow.audit.append_many([entry(1), entry(2)])
        await uow.commit()
    assert await logged(log) == ["delivery-1", "delivery-2"]
    stored, _ = await log.search(AuditQuery(limit=1))
    assert stored[0].entry == entry(2)


async def test_entries_roll_back_with_their_work(backend: Backend) -> None:
    new_uow, log = backend
    async with new_uow() as uow:
        await uow.audit.append_many([entry(1)])
        await uow.rollback()
        await uow.audit.append_many([entry(2)])
        await uow.commit()
        await uow.audit.append_many([entry(3)])  # left without a commit
    assert await logged(log) == ["delivery-2"]


async def test_entries_written_in_a_transaction_are_sealed_into_the_chain(backend: Backend) -> None:
    new_uow, log = backend
    await log.append(entry(1))
    async with new_uow() as uow:
        await uow.audit.append_many([entry(2), entry(3)])
        await uow.commit()
    await log.append(entry(4))
    assert await log.seal() == 4
    verification = await log.verify()
    assert (verification.checked, verification.unsealed, verification.intact) == (4, 0, True)
