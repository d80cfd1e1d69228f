"""Outbox rows of a page on PostgreSQL: one statement through the driver inserts them and queues the
NOTIFY of each topic not yet announced in this transaction (Postgres delivers it on commit)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.sql.driver import driver_of
from adapters.sql.notify import CHANNEL
from adapters.sql.pg_arrays import Column, RowsInsert
from domain.sync import OutboxItem

_ITEM: tuple[Column, ...] = (
    ("id", "text"), ("topic", "text"), ("status", "text"), ("created_at", "timestamptz"),
    ("updated_at", "timestamptz"), ("next_attempt_at", "timestamptz"), ("reading_id", "text"),
    ("patient_id", "text"), ("alert_id", "text"), ("code", "text"), ("resource_type", "text"), ("attempts", "int4"),
    ("http_status", "int4"), ("external_id", "text"), ("last_error", "text"), ("trace_context", "text"),
    ("practice_id", "text"),
)
_TOPICS = len(_ITEM) + 1
_ADD = RowsInsert("outbox", _ITEM, statement="WITH added AS ({insert}) "  # noqa: S608 - constants only
                  f"SELECT pg_notify('{CHANNEL}', topic) FROM unnest(${_TOPICS}::text[]) AS topic")


def _row(item: OutboxItem) -> tuple[Any, ...]:
    return (item.id, item.topic, item.status, item.created_at, item.updated_at, item.next_attempt_at,
            item.reading_id, item.patient_id, item.alert_id, item.code, item.resource_type, item.attempts,
            item.http_status, item.external_id, item.last_error, item.trace_context, item.practice_id)


async def add_outbox_items(connection: AsyncConnection, items: Sequence[OutboxItem], notify: Sequence[str]) -> None:
    """Insert the items and notify each of the `notify` topics, in one round trip."""
    driver = await driver_of(connection)
    sql, args = _ADD.bound([_row(item) for item in items])
    await driver.execute(sql, *args, list(notify))
