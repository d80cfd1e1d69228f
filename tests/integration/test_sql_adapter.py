"""What only the SQL adapter does: the audit table, business keys, foreign keys, SQLite pragmas."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.sql.audit import SqlAuditLog, retention_until
from adapters.sql.tables import audit_log
from adapters.sql.unit_of_work import SqlAlchemyUnitOfWork
from domain.audit import AuditEntry, AuditOutcome
from domain.errors import Conflict
from tests.integration.builders import T0, device, new_id, patient, reading, seeded


async def test_audit_entries_are_committed_on_their_own_with_a_retention_date(sql_engine: AsyncEngine) -> None:
    log = SqlAuditLog(sql_engine)
    entry = AuditEntry(
        occurred_at=T0.astimezone(timezone(timedelta(hours=-5))), actor="user-1", action="patient.read",
        resource_type="Patient", outcome=AuditOutcome.DENIED, resource_ids=("p-1", "p-2"),
        request_id="req-1", details={"reason": "not in care team"},
    )
    async with SqlAlchemyUnitOfWork(sql_engine) as uow:
        await uow.patients.add(patient())
        if sql_engine.dialect.name == "postgresql":  # SQLite has one writer at a time: append after
            await log.append(entry)
    # the request's transaction rolled back; its audit entry stays
    if sql_engine.dialect.name == "sqlite":
        await log.append(entry)
    await log.append(replace(entry, outcome=AuditOutcome.SUCCESS, resource_ids=(), details={}))

    async with sql_engine.connect() as connection:
        rows = (await connection.execute(select(audit_log).order_by(audit_log.c.id))).mappings().all()
    assert [(r["outcome"], r["resource_ids"], r["details"]) for r in rows] == [
        ("denied", ["p-1", "p-2"], {"reason": "not in care team"}), ("success", [], {}),
    ]
    assert rows[0]["occurred_at"] == T0
    assert rows[0]["retention_until"] == date(2033, 11, 20)
    assert rows[0]["id"] < rows[1]["id"]


def test_retention_of_a_leap_day_entry_ends_on_the_28th() -> None:
    assert retention_until(datetime(2028, 2, 29, 23, 0, tzinfo=UTC)) == date(2035, 2, 28)
    assert retention_until(datetime(2026, 12, 31, 22, 0, tzinfo=timezone(timedelta(hours=-5)))) == date(2034, 1, 1)


async def test_a_second_patient_or_device_with_the_same_business_key_is_a_conflict(sql_engine: AsyncEngine) -> None:
    uow = SqlAlchemyUnitOfWork(sql_engine)
    existing_patient, existing_device = await seeded(uow)
    async with uow:
        with pytest.raises(Conflict):
            await uow.patients.add(patient(existing_patient.emr_patient_id))
        with pytest.raises(Conflict):
            await uow.devices.add(device(existing_device.gateway_device_id))


async def test_naive_datetimes_are_refused(sql_engine: AsyncEngine) -> None:
    async with SqlAlchemyUnitOfWork(sql_engine) as uow:
        with pytest.raises(StatementError, match="naive"):
            await uow.patients.add(replace(patient(), imported_at=datetime(2026, 11, 20, 15, 0)))


async def test_rows_must_point_at_existing_parents(sql_engine: AsyncEngine) -> None:
    async with SqlAlchemyUnitOfWork(sql_engine) as uow:
        with pytest.raises(IntegrityError):
            await uow.readings.add_if_new(reading(new_id(), None, T0))


async def test_sqlite_connections_use_wal_foreign_keys_and_a_busy_timeout(
    sqlite_url: str, engine_factory: Callable[[str], AsyncEngine]
) -> None:
    async with engine_factory(sqlite_url).connect() as connection:
        pragmas = [
            (await connection.exec_driver_sql(f"PRAGMA {name}")).scalar()
            for name in ("journal_mode", "foreign_keys", "busy_timeout")
        ]
    assert pragmas == ["wal", 1, 15000]
