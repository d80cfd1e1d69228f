"""Outbox rows of a page on PostgreSQL: one INSERT through the driver, deferred (`pg_deferred`) with the
NOTIFY of each topic not yet announced in this transaction (Postgres delivers it on commit)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.sql.driver import driver_keeping_deferred
from adapters.sql.pg_arrays import Column, RowsInsert
from adapters.sql.pg_deferred import defer
from domain.sync import OutboxItem

_ITEM: tuple[Column, ...] = (
    ("id", "text"), ("topic", "text"), ("status", "text"), ("created_at", "timestamptz"),
    ("updated_at", "timestamptz"), ("next_attempt_at", "timestamptz"), ("reading_id", "text"),
    ("patient_id", "text"), ("alert_id", "text"), ("code", "text"), ("resource_type", "text"), ("attempts", "int4"),
    ("http_status", "int4"), ("external_id", "text"), ("last_error", "text"), ("trace_context", "text"),
    ("practice_id", "text"),
)
_ADD = RowsInsert("outbox", _ITEM)


def _row(item: OutboxItem) -> tuple[Any, ...]:
    return (item.id, item.topic, item.status, item.created_at, item.updated_at, item.next_attempt_at,
            item.reading_id, item.patient_id, item.alert_id, item.code, item.resource_type, item.attempts,
            item.http_status, item.external_id, item.last_error, item.trace_context, item.practice_id)


async def add_outbox_items(connection: AsyncConnection, items: Sequence[OutboxItem], notify: Sequence[str]) -> None:
    """Insert the items and notify each of the `notify` topics, with the unit of work's next statement."""
    sql, args = _ADD.bound([_row(item) for item in items])
    await defer(await driver_keeping_deferred(connection), "outbox", sql, args, notify)
