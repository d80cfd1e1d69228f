"""The audit trail is append-only in the database and hash-chained; tampering is found."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.fakes.audit import FakeAuditLog
from adapters.sql.audit import SqlAuditLog
from adapters.sql.engine import create_engine
from domain.audit import AuditEntry, AuditOutcome, AuditQuery

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def entry(n: int, actor: str = "user-1") -> AuditEntry:
    return AuditEntry(T0 + timedelta(seconds=n), actor, "patient.read", "Patient", AuditOutcome.SUCCESS,
                      (f"patient-{n}",), f"req-{n}", {"page": str(n)})


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def engine(request: pytest.FixtureRequest) -> AsyncIterator[AsyncEngine]:
    sql_engine = create_engine(request.getfixturevalue(f"{request.param}_url"))
    yield sql_engine
    await sql_engine.dispose()


async def test_entries_are_sealed_in_order_and_verify(engine: AsyncEngine) -> None:
    log = SqlAuditLog(engine)
    for n in range(5):
        await log.append(entry(n))
    assert await log.seal() == 5
    await log.append(entry(5))
    assert await log.seal() == 1
    assert await log.seal() == 0
    result = await log.verify()
    assert (result.intact, result.checked, result.unsealed) == (True, 6, 0)


@pytest.mark.parametrize("statement", ["UPDATE audit_log SET actor = 'someone-else'", "DELETE FROM audit_log",
                                       "UPDATE audit_seals SET hash = 'x'", "DELETE FROM audit_seals"])
async def test_the_database_refuses_updates_and_deletes(engine: AsyncEngine, statement: str) -> None:
    log = SqlAuditLog(engine)
    await log.append(entry(1))
    await log.seal()
    with pytest.raises(DBAPIError, match="append-only"):
        async with engine.begin() as connection:
            await connection.execute(text(statement))
    assert (await log.verify()).checked == 1


async def test_tampering_behind_the_triggers_is_found_at_its_link(engine: AsyncEngine) -> None:
    log = SqlAuditLog(engine)
    for n in range(4):
        await log.append(entry(n))
    await log.seal()
    async with engine.begin() as connection:  # someone with DDL rights disables the guard
        if engine.dialect.name == "postgresql":
            await connection.execute(text("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only"))
        else:
            await connection.execute(text("DROP TRIGGER audit_log_no_update"))
        await connection.execute(text("UPDATE audit_log SET actor = 'forged' WHERE id = "
                                      "(SELECT min(id) + 2 FROM audit_log)"))
        if engine.dialect.name == "postgresql":
            await connection.execute(text("ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only"))
    result = await log.verify()
    first = (await log.search(AuditQuery(limit=10)))[0][-1].seq
    assert (result.intact, result.first_broken, result.checked) == (False, first + 2, 2)
    assert result.reason == "entry was altered after it was sealed"


async def test_search_filters_and_pages_newest_first(engine: AsyncEngine) -> None:
    log = SqlAuditLog(engine)
    for n in range(6):
        await log.append(entry(n, actor="user-a" if n % 2 else "user-b"))
    await log.seal()
    found, total = await log.search(AuditQuery(actor="user-a", limit=2))
    assert total == 3
    assert [e.entry.resource_ids for e in found] == [("patient-5",), ("patient-3",)]
    assert all(e.entry_hash for e in found)


async def test_entries_still_in_their_grace_period_wait(engine: AsyncEngine) -> None:
    log = SqlAuditLog(engine, grace=timedelta(minutes=5))
    await log.append(entry(1))
    await log.append(AuditEntry(datetime.now(UTC), "u", "a", "r", AuditOutcome.SUCCESS))
    assert await log.seal() == 1
    assert (await log.verify()).unsealed == 1


async def test_the_fake_keeps_the_same_chain() -> None:
    fake = FakeAuditLog()
    for n in range(3):
        await fake.append(entry(n))
    assert await fake.seal() == 3
    assert (await fake.verify()).intact
    fake.entries[1] = entry(99)
    assert (await fake.verify()).first_broken == 2


