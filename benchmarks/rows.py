"""Rows for COPY: `readings` and `deliveries` exactly as the app writes them (built with the app's
own row mapping from a parsed message), cheaply varied to a million unique rows."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from adapters.mioconnect.parse import parse_telemetry
from adapters.sql.mapping import reading_row
from domain.readings import Reading, ReadingStatus

READING_COLUMNS = ("id", "device_id", "user_slot", "kind", "measured_at_utc", "measured_at_offset_minutes",
                   "measurement_values", "context", "status", "patient_id", "recorded_at", "delivery_id", "reason")
DELIVERY_COLUMNS = ("id", "source", "webhook_id", "received_at", "body", "status", "reason", "reading_id")
PLAIN_TABLE = "bench_copy_readings"
CREATE_PLAIN_TABLE = (  # the COPY baseline: the same rows, no key, index or constraint
    f"CREATE TABLE IF NOT EXISTS {PLAIN_TABLE} (id text, device_id text, user_slot text, kind text, "
    "measured_at_utc timestamptz, measured_at_offset_minutes int, measurement_values jsonb, context jsonb, "
    "status text, patient_id text, recorded_at timestamptz, delivery_id text, reason text, body bytea)"
)


def _json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def reading_tuple(body: bytes, device_id: str, patient_id: str | None, now: datetime) -> tuple[Any, ...]:
    """One message as the `readings` row the app would write for it, plus its raw body."""
    telemetry = parse_telemetry(body)
    assert telemetry.measurement is not None
    reading = Reading(id=str(uuid.uuid4()), device_id=device_id, user_slot=telemetry.user_slot,
                      measurement=telemetry.measurement, status=ReadingStatus.ACCEPTED, patient_id=patient_id,
                      recorded_at=now, delivery_id=None)
    row = reading_row(reading)
    row = {**row, "measurement_values": _json(row["measurement_values"]), "context": _json(row["context"])}
    return (*(row[c] for c in READING_COLUMNS), body)


def filler(templates: list[bytes], devices: list[tuple[str, str]], count: int, start: int,
           newest: datetime) -> Iterator[tuple[tuple[Any, ...], tuple[Any, ...]]]:
    """(delivery, reading) row pairs: reading k is device k mod n, one hour earlier per round over
    the devices, counting back from `newest`; values cycle through the template messages (whose
    rows the app's mapping builds once; only keys and times vary)."""
    now = datetime.now(UTC)
    shapes = []
    for body in templates:
        row = dict(zip(READING_COLUMNS, reading_tuple(body, "", None, now), strict=False))
        shapes.append((row, body))
    for k in range(start, start + count):
        device_id, patient_id = devices[k % len(devices)]
        row, body = shapes[k % len(shapes)]
        reading_id, delivery_id = str(uuid.uuid4()), str(uuid.uuid4())
        yield (
            (delivery_id, "mioconnect", f"fill_{k}", now, body, "accepted", None, reading_id),
            (reading_id, device_id, row["user_slot"], row["kind"], newest - timedelta(hours=k // len(devices)),
             row["measured_at_offset_minutes"], row["measurement_values"], row["context"], "accepted", patient_id,
             now, delivery_id, None),
        )
