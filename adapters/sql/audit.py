"""SqlAuditLog: the audit trail in the `audit_log` table, each entry in its own transaction."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.sql.tables import audit_log
from domain.audit import AuditEntry

RETENTION_YEARS = 7


def retention_until(occurred_at: datetime, years: int = RETENTION_YEARS) -> date:
    """The UTC date until which an entry must be kept (29 February rolls back to the 28th)."""
    day = occurred_at.astimezone(UTC).date()
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


class SqlAuditLog:
    """AuditLog that commits every entry on its own, so a failed request is still audited.

    On SQLite (one writer at a time) append after the unit of work's block has ended, as the
    use cases do; on Postgres an append never waits for an open unit of work.
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def append(self, entry: AuditEntry) -> None:
        row = {
            "occurred_at": entry.occurred_at,
            "actor": entry.actor,
            "action": entry.action,
            "resource_type": entry.resource_type,
            "outcome": entry.outcome.value,
            "resource_ids": list(entry.resource_ids),
            "request_id": entry.request_id,
            "details": dict(entry.details),
            "retention_until": retention_until(entry.occurred_at),
        }
        async with self._engine.begin() as connection:
            await connection.execute(audit_log.insert().values(row))
