"""What each claimed reading's Observations need — the reading, its patient's EMR id and practice, its
device's model — in one joined read, for the relay's EMR create topic.

On PostgreSQL the read goes through the driver with SQL text built once: the relay runs it for every
batch, and SQLAlchemy Core's per-statement cost is far above what the database spends on it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import RowMapping, bindparam, select
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.sql import mapping as m
from adapters.sql.driver import driver_keeping_deferred
from adapters.sql.pg_arrays import json_value
from adapters.sql.pg_deferred import fetch
from adapters.sql.tables import devices, patients, readings
from domain.observations import ObservationSource

_JOINED = (select(readings, patients.c.emr_patient_id, patients.c.practice_id.label("patient_practice_id"),
                  devices.c.model_number)
           .join(patients, patients.c.id == readings.c.patient_id)
           .join(devices, devices.c.id == readings.c.device_id)
           .where(readings.c.id.in_(bindparam("ids", expanding=True))))
_READING = ("id", "device_id", "user_slot", "kind", "measured_at_utc", "measured_at_offset_minutes", "status",
            "patient_id", "recorded_at", "delivery_id", "reason")
_JOINED_TEXT = f"""
SELECT {", ".join(f"r.{name}" for name in _READING)}, r.measurement_values::text AS measurement_values,
       r.context::text AS context, p.emr_patient_id, p.practice_id AS patient_practice_id, d.model_number
FROM readings AS r JOIN patients AS p ON p.id = r.patient_id JOIN devices AS d ON d.id = r.device_id
WHERE r.id = ANY($1::text[])"""  # noqa: S608 - constants only; values are parameters
_READS = frozenset({"readings", "patients", "devices"})


async def observation_sources(connection: AsyncConnection, ids: Sequence[str]) -> Mapping[str, ObservationSource]:
    """The readings among `ids` whose patient and device are known, with what their Observations need."""
    if not ids:
        return {}
    return _sources((await connection.execute(_JOINED, {"ids": list(ids)})).mappings().all())


async def observation_sources_through_driver(
    connection: AsyncConnection, ids: Sequence[str],
) -> Mapping[str, ObservationSource]:
    """`observation_sources` on PostgreSQL, through the driver; the writes waiting to other tables (the relay's
    record of its previous sends) go along in the same round trip."""
    if not ids:
        return {}
    rows = await fetch(await driver_keeping_deferred(connection), _JOINED_TEXT, [list(ids)], _READS)
    return _sources([{**row, "measurement_values": json_value(row["measurement_values"]),
                      "context": json_value(row["context"])} for row in rows])


def _sources(rows: Sequence[RowMapping | Mapping[str, Any]]) -> Mapping[str, ObservationSource]:
    return {row["id"]: ObservationSource(m.reading_of(row), row["emr_patient_id"], row["patient_practice_id"],
                                         row["model_number"]) for row in rows}
