"""Readings and raw deliveries on PostgreSQL: the intake's page statements go through the driver."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.sql import mapping as m
from adapters.sql.driver import driver_keeping_deferred
from adapters.sql.observation_sources import observation_sources_through_driver
from adapters.sql.pg_arrays import Column, RowsInsert, ids_of, json_text
from adapters.sql.pg_deferred import fetch
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
    """SqlReadingRepository whose page insert and the relay's joined read go through the driver."""

    async def add_many_if_new(self, many: Sequence[Reading]) -> set[str]:
        return await _added(self._c, _ADD_READINGS, [_reading(r) for r in many])

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
