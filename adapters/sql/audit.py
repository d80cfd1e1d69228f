"""SqlAuditLog: the append-only audit trail (`audit_log`) and its hash chain (`audit_seals`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import RowMapping, func, select, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from adapters.sql.driver import driver_keeping_deferred
from adapters.sql.pg_arrays import Column, RowsInsert, json_text
from adapters.sql.pg_deferred import defer
from adapters.sql.statements import insert_statement
from adapters.sql.tables import audit_log, audit_seals
from domain.audit import AuditEntry, AuditOutcome, AuditQuery, ChainVerification, StoredAuditEntry
from domain.audit_chain import GENESIS, link, verify_chain

RETENTION_YEARS = 7
SEAL_BATCH = 1000
SEALER_LOCK = 0x5EA1  # one sealer at a time on Postgres (transaction-scoped advisory lock)


@lru_cache(maxsize=16)  # the entries of one write share their time: worked out once for all of them
def retention_until(occurred_at: datetime, years: int = RETENTION_YEARS) -> date:
    """The UTC date until which an entry must be kept (29 February rolls back to the 28th)."""
    day = occurred_at.astimezone(UTC).date()
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


_COLUMNS: tuple[Column, ...] = (
    ("occurred_at", "timestamptz"), ("actor", "text"), ("action", "text"), ("resource_type", "text"),
    ("outcome", "text"), ("resource_ids", "jsonb"), ("request_id", "text"), ("details", "jsonb"),
    ("retention_until", "date"),
)
_APPEND = RowsInsert("audit_log", _COLUMNS)


def _columns(entry: AuditEntry) -> tuple[Any, ...]:
    return (entry.occurred_at, entry.actor, entry.action, entry.resource_type, entry.outcome,
            json_text(entry.resource_ids), entry.request_id, json_text(dict(entry.details)),
            retention_until(entry.occurred_at))


def _row(entry: AuditEntry) -> dict[str, Any]:
    return {
        "occurred_at": entry.occurred_at, "actor": entry.actor, "action": entry.action,
        "resource_type": entry.resource_type, "outcome": entry.outcome.value,
        "resource_ids": list(entry.resource_ids), "request_id": entry.request_id,
        "details": dict(entry.details), "retention_until": retention_until(entry.occurred_at),
    }


class SqlAuditEntries:
    """A unit of work's audit entries: one INSERT in its transaction, committed or rolled back with its
    work (on Postgres through the driver, deferred to go with the next statement or the commit)."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._c = connection

    async def append_many(self, entries: Sequence[AuditEntry]) -> None:
        if not entries:
            return
        if self._c.dialect.name == "postgresql":
            sql, args = _APPEND.bound([_columns(entry) for entry in entries])
            await defer(await driver_keeping_deferred(self._c), "audit_log", sql, args)
            return
        await self._c.execute(insert_statement(audit_log), [_row(entry) for entry in entries])


class SqlAuditLog:
    """Each append commits on its own (a failed request is still audited) and never waits for a
    sealer: sealing chains entries in id order later, in batches, only past a short grace period.

    On SQLite (one writer at a time) append after the unit of work's block has ended, or write the
    entries in it through its `audit` (SqlAuditEntries); on Postgres an append never waits for an
    open unit of work.
    """

    def __init__(self, engine: AsyncEngine, grace: timedelta = timedelta(seconds=2)) -> None:
        self._engine = engine
        self._grace = grace

    async def append(self, entry: AuditEntry) -> None:
        await self.append_many([entry])

    async def append_many(self, entries: Sequence[AuditEntry]) -> None:
        if not entries:
            return
        async with self._engine.connect() as connection:
            if connection.dialect.name == "postgresql":
                # one INSERT through the driver, outside any transaction, commits on its own: no BEGIN and
                # COMMIT round trips around it, which cost more than the INSERT on the hot paths
                driver: Any = (await connection.get_raw_connection()).driver_connection
                sql, args = _APPEND.bound([_columns(entry) for entry in entries])
                await driver.execute(sql, *args)
                return
            async with connection.begin():
                await connection.execute(insert_statement(audit_log), [_row(entry) for entry in entries])

    async def seal(self) -> int:
        cutoff = datetime.now(UTC) - self._grace
        async with self._engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                await connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SEALER_LOCK})
            head = (await connection.execute(
                select(audit_seals.c.entry_id, audit_seals.c.hash).order_by(audit_seals.c.entry_id.desc()).limit(1)
            )).first()
            last_seq, previous = (int(head[0]), str(head[1])) if head else (0, GENESIS)
            pending = await connection.execute(
                select(audit_log).where(audit_log.c.id > last_seq).order_by(audit_log.c.id).limit(SEAL_BATCH))
            seals = []
            for row in pending.mappings():
                if row["occurred_at"] > cutoff:
                    break  # keep the chain contiguous: stop at the first entry still in its grace period
                digest = link(previous, int(row["id"]), _entry(row))
                seals.append({"entry_id": row["id"], "previous_hash": previous, "hash": digest,
                              "sealed_at": datetime.now(UTC)})
                previous = digest
            if seals:
                await connection.execute(audit_seals.insert(), seals)
        return len(seals)

    async def verify(self) -> ChainVerification:
        async with self._engine.connect() as connection:
            entries = {int(r["id"]): _entry(r) for r in (await connection.execute(select(audit_log))).mappings()}
            seals = {int(r["entry_id"]): (str(r["previous_hash"]), str(r["hash"]))
                     for r in (await connection.execute(select(audit_seals))).mappings()}
        rows = [(seq, entries.get(seq), *seals.get(seq, (None, None))) for seq in sorted(entries.keys() | seals.keys())]
        return verify_chain(rows)

    async def search(self, query: AuditQuery) -> tuple[Sequence[StoredAuditEntry], int]:
        where = _filters(query)
        statement = (select(audit_log, audit_seals.c.hash)
                     .join(audit_seals, audit_seals.c.entry_id == audit_log.c.id, isouter=True)
                     .where(*where).order_by(audit_log.c.id.desc()).offset(query.offset).limit(query.limit))
        async with self._engine.connect() as connection:
            rows = (await connection.execute(statement)).mappings().all()
            total = await _count(connection, where)
        return [StoredAuditEntry(int(r["id"]), _entry(r), r["hash"]) for r in rows], total


def _filters(query: AuditQuery) -> list[Any]:
    t = audit_log
    return [condition for condition in (
        t.c.actor == query.actor if query.actor else None,
        t.c.action == query.action if query.action else None,
        t.c.resource_type == query.resource_type if query.resource_type else None,
        t.c.occurred_at >= query.since if query.since else None,
        t.c.occurred_at < query.until if query.until else None,
    ) if condition is not None]


async def _count(connection: AsyncConnection, where: list[Any]) -> int:
    return int(await connection.scalar(select(func.count()).select_from(audit_log).where(*where)) or 0)


def _entry(row: RowMapping) -> AuditEntry:
    return AuditEntry(
        occurred_at=row["occurred_at"], actor=row["actor"], action=row["action"],
        resource_type=row["resource_type"], outcome=AuditOutcome(row["outcome"]),
        resource_ids=tuple(row["resource_ids"]), request_id=row["request_id"], details=dict(row["details"]),
    )
