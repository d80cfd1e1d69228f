"""Readings and raw deliveries on PostgreSQL: the intake's page statements go through the driver."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.sql import mapping as m
from adapters.sql.driver import driver_keeping_deferred
from adapters.sql.observation_sources import observation_sources_through_driver
from adapters.sql.pg_arrays import Column, RowsInsert, ids_of, json_text
from adapters.sql.pg_deferred import fetch, renumbered
from adapters.sql.repositories_readings import SqlDeliveryRepository, SqlReadingRepository
from domain.deliveries import Delivery
from domain.observations import ObservationSource
from domain.readings import Reading

_READING: tuple[Column, ...] = (
    ("id", "text"), ("device_id", "text"), ("user_slot", "text"), ("kind", "text"),
    ("measured_at_utc", "timestamptz"), ("measured_at_offset_minutes", "int4"), ("measurement_values", "jsonb"),
    ("context", "jsonb"), ("status", "text"), ("patient_id", "text"), ("recorded_at", "timestamptz"),
    ("delivery_id", "text"), ("reason", "text"),
)
_ADD_READINGS = RowsInsert(
    "readings", _READING, "ON CONFLICT (device_id, user_slot, measured_at_utc, kind) DO NOTHING RETURNING id")
# the readings of the deliveries stored by the same statement (`_stored`: its deliveries' insert, as a CTE)
_ADD_STORED_READINGS = RowsInsert(
    "readings", _READING, _ADD_READINGS.tail, where="{delivery_id} IN (SELECT id FROM _stored)")

_DELIVERY: tuple[Column, ...] = (
    ("id", "text"), ("source", "text"), ("webhook_id", "text"), ("received_at", "timestamptz"), ("body", "bytea"),
    ("status", "text"), ("reason", "text"), ("reading_id", "text"),
)
_ADD_DELIVERIES = RowsInsert("deliveries", _DELIVERY, "ON CONFLICT (source, webhook_id) DO NOTHING RETURNING id")
_SAVE_DELIVERIES = RowsInsert("deliveries", _DELIVERY, "ON CONFLICT (id) DO UPDATE SET " + ", ".join(
    f"{name} = excluded.{name}" for name, _ in _DELIVERY if name != "id"))


def _reading(reading: Reading) -> tuple[Any, ...]:
    """The row in `_READING` order, built straight from the reading (StrEnum members are the text they
    stand for; asyncpg sends an aware time as UTC)."""
    measurement = reading.measurement
    return (reading.id, reading.device_id, reading.user_slot, measurement.kind, measurement.measured_at,
            m.offset_minutes(measurement.measured_at), json_text(m.measurement_values(measurement)),
            json_text(dict(measurement.context)), reading.status, reading.patient_id, reading.recorded_at,
            reading.delivery_id, reading.reason)


def _delivery(d: Delivery) -> tuple[Any, ...]:
    return (d.id, d.source, d.webhook_id, d.received_at, d.body, d.status, d.reason, d.reading_id)


async def _added(connection: AsyncConnection, insert: RowsInsert, rows: Sequence[tuple[Any, ...]]) -> set[str]:
    """The ids of the rows the insert added (those already there are skipped by its ON CONFLICT); the
    writes deferred to other tables go with it."""
    if not rows:
        return set()
    sql, args = insert.bound(rows)
    return ids_of(await fetch(await driver_keeping_deferred(connection), sql, args, frozenset({insert.table})))


class PgReadingRepository(SqlReadingRepository):
    """SqlReadingRepository whose page inserts and the relay's joined read go through the driver."""

    async def add_many_if_new(self, many: Sequence[Reading]) -> set[str]:
        return await _added(self._c, _ADD_READINGS, [_reading(r) for r in many])

    async def add_many_with_deliveries(
        self, many_deliveries: Sequence[Delivery], many: Sequence[Reading]
    ) -> tuple[set[str], set[str]]:
        """One round trip: the deliveries' insert is the readings' insert's CTE, which keeps only the readings
        of the deliveries it stored."""
        if not many:
            return await _added(self._c, _ADD_DELIVERIES, [_delivery(d) for d in many_deliveries]), set()
        if not many_deliveries:
            return set(), set()
        deliveries_sql, deliveries_args = _ADD_DELIVERIES.bound([_delivery(d) for d in many_deliveries])
        readings_sql, readings_args = _ADD_STORED_READINGS.bound([_reading(r) for r in many])
        sql = _stored_then_added(deliveries_sql, readings_sql, len(deliveries_args))
        rows = await fetch(await driver_keeping_deferred(self._c), sql, [*deliveries_args, *readings_args],
                           frozenset({"deliveries", "readings"}))
        return {row[1] for row in rows if row[0]}, {row[1] for row in rows if not row[0]}

    async def observation_sources(self, ids: Sequence[str]) -> Mapping[str, ObservationSource]:
        return await observation_sources_through_driver(self._c, ids)


class PgDeliveryRepository(SqlDeliveryRepository):
    """SqlDeliveryRepository whose page statements go through the driver."""

    async def add_many_if_new(self, many: Sequence[Delivery]) -> set[str]:
        return await _added(self._c, _ADD_DELIVERIES, [_delivery(d) for d in many])

    async def save_many(self, many: Sequence[Delivery]) -> None:
        if many:
            sql, args = _SAVE_DELIVERIES.bound([_delivery(d) for d in many])
            await fetch(await driver_keeping_deferred(self._c), sql, args, frozenset({"deliveries"}))


@cache
def _stored_then_added(deliveries_sql: str, readings_sql: str, shift: int) -> str:
    """The deliveries' insert as `_stored`, the readings' (parameters numbered after its `shift`) as `_added`;
    rows of (whether a delivery, id)."""
    return (f"WITH _stored AS ({deliveries_sql}), _added AS ({renumbered(readings_sql, shift)}) "  # noqa: S608 - ours
            "SELECT true, id FROM _stored UNION ALL SELECT false, id FROM _added")
