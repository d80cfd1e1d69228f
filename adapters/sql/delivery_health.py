"""DeliveryHealthRepository on `emr_delivery_health`, with each practice's backlog counted from `outbox`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from functools import lru_cache
from typing import Any

from sqlalchemy import case, func, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.sql.driver import driver_keeping_deferred
from adapters.sql.mapping import build
from adapters.sql.pg_deferred import defer
from adapters.sql.tables import emr_delivery_health, outbox
from domain.delivery_health import ConnectionHealth, DeliveryMark
from domain.sync import EMR_TOPICS, SyncStatus

_WAITING = (SyncStatus.PENDING.value, SyncStatus.RETRYING.value)


@lru_cache(maxsize=2)
def _note_statement(dialect: str) -> Any:
    """INSERT ... ON CONFLICT DO UPDATE: each time moves forward only; a failure's reason follows its time."""
    t = emr_delivery_health
    statement = postgresql.insert(t) if dialect == "postgresql" else sqlite.insert(t)
    new = statement.excluded

    def later(column: str) -> Any:
        return or_(t.c[column].is_(None), t.c[column] < new[column])

    success = case((new.last_success_at.is_not(None) & later("last_success_at"), new.last_success_at),
                   else_=t.c.last_success_at)
    failed = new.last_failure_at.is_not(None) & later("last_failure_at")
    return statement.on_conflict_do_update(index_elements=[t.c.practice_id], set_={
        "last_success_at": success,
        **{name: case((failed, new[name]), else_=t.c[name])
           for name in ("last_failure_at", "last_failure", "last_failure_http_status")},
    })


# the same upsert on PostgreSQL, every practice's mark in one statement through the driver (the relay's hot path)
_FAILED = ("excluded.last_failure_at IS NOT NULL AND (health.last_failure_at IS NULL"
           " OR health.last_failure_at < excluded.last_failure_at)")
_NOTE = f"""
INSERT INTO emr_delivery_health AS health
  (practice_id, last_success_at, last_failure_at, last_failure, last_failure_http_status)
SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::timestamptz[], $4::text[], $5::int[])
ON CONFLICT (practice_id) DO UPDATE SET
  last_success_at = CASE WHEN excluded.last_success_at IS NOT NULL AND (health.last_success_at IS NULL
                         OR health.last_success_at < excluded.last_success_at)
                    THEN excluded.last_success_at ELSE health.last_success_at END,
  {", ".join(f"{name} = CASE WHEN {_FAILED} THEN excluded.{name} ELSE health.{name} END"
             for name in ("last_failure_at", "last_failure", "last_failure_http_status"))}"""  # noqa: S608 - constants only; values are parameters


class SqlDeliveryHealth:
    def __init__(self, connection: AsyncConnection) -> None:
        self._c = connection

    async def note(self, marks: Sequence[DeliveryMark]) -> None:
        if marks:
            await self._c.execute(_note_statement(self._c.dialect.name), [
                {"practice_id": mark.practice_id, "last_success_at": mark.succeeded_at,
                 "last_failure_at": mark.failed_at, "last_failure": mark.failure,
                 "last_failure_http_status": mark.failure_http_status} for mark in marks])

    async def report(self, practice_id: str | None = None) -> Sequence[ConnectionHealth]:
        t, o = emr_delivery_health, outbox
        ours = [] if practice_id is None else [t.c.practice_id == practice_id]
        marks = await self._c.execute(select(t).where(*ours))
        found = {str(row["practice_id"]): build(ConnectionHealth, row) for row in marks.mappings().all()}
        waiting = await self._c.execute(
            select(o.c.practice_id, func.count())
            .where(o.c.status.in_(_WAITING), o.c.topic.in_(sorted(EMR_TOPICS)),
                   o.c.practice_id.is_not(None) if practice_id is None else o.c.practice_id == practice_id)
            .group_by(o.c.practice_id))
        backlog = {str(practice): int(count) for practice, count in waiting.all()}
        return [replace(found.get(p, ConnectionHealth(p)), backlog=backlog.get(p, 0))
                for p in sorted({*found, *backlog})]


class PgDeliveryHealth(SqlDeliveryHealth):
    """DeliveryHealthRepository on PostgreSQL: a batch's marks (one per practice) in one write that waits for the
    unit of work's next statement or its commit (`pg_deferred`)."""

    async def note(self, marks: Sequence[DeliveryMark]) -> None:
        if marks:
            await defer(await driver_keeping_deferred(self._c), "emr_delivery_health", _NOTE, [
                [m.practice_id for m in marks], [m.succeeded_at for m in marks], [m.failed_at for m in marks],
                [m.failure for m in marks], [m.failure_http_status for m in marks]])
