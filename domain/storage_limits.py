"""What the store can hold of an inbound message: text lengths, integer ranges, storable characters.

adapters/sql/tables.py declares its columns with these numbers, so the checks made on arrival
(before anything is stored) are the database's own limits, and SQLite (which enforces none of
them) decides exactly as Postgres does. Problems name the field, never its value.
"""

from __future__ import annotations

import hashlib

from domain.deliveries import DeviceStatusReport, DeviceTelemetry

GATEWAY_DEVICE_ID = 64
MODEL_NUMBER = 64
USER_SLOT = 16
FIRMWARE = 64
MESSAGE_TYPE = 64  # an unknown message type, named in the delivery's reason
WEBHOOK_ID = 255
INTEGER_MIN, INTEGER_MAX = -(2**31), 2**31 - 1  # a 32-bit INTEGER column
WEBHOOK_ID_SURROGATE = "sha256:"


def text_problem(field: str, value: str, max_length: int) -> str | None:
    """Why `value` cannot be stored as-is in a column of `max_length` characters, or None.

    Control and other non-printable characters (NUL above all, which Postgres refuses in text, and
    lone surrogates, which no database can encode) are refused along with over-long values.
    """
    if len(value) > max_length:
        return f"{field} is longer than {max_length} characters"
    if not value.isprintable():
        return f"{field} contains a control or non-printable character"
    return None


def integer_problem(field: str, value: int | None) -> str | None:
    """Why `value` does not fit an INTEGER column, or None (None itself fits: it is left out)."""
    if value is not None and not INTEGER_MIN <= value <= INTEGER_MAX:
        return f"{field} is out of range"
    return None


def storable_webhook_id(webhook_id: str) -> str:
    """The webhook id as kept: itself when it fits the column and is printable text, otherwise
    a stable surrogate ("sha256:" + hex digest of the original), so re-deliveries still dedupe.

    An id that itself begins with the surrogate prefix is hashed too: a sender cannot make its id
    collide with another delivery's surrogate.
    """
    if text_problem("webhook-id", webhook_id, WEBHOOK_ID) is None and not webhook_id.startswith(WEBHOOK_ID_SURROGATE):
        return webhook_id
    digest = hashlib.sha256(webhook_id.encode("utf-8", "surrogatepass")).hexdigest()
    return WEBHOOK_ID_SURROGATE + digest


def telemetry_problem(telemetry: DeviceTelemetry) -> str | None:
    """The first field of a parsed telemetry message the store could not hold, or None."""
    return (
        _device_problem(telemetry.gateway_device_id, telemetry.model_number)
        or text_problem("uid", telemetry.user_slot, USER_SLOT)
        or text_problem("data_type", telemetry.unknown_type or "", MESSAGE_TYPE)
    )


def status_problem(report: DeviceStatusReport) -> str | None:
    """The first field of a parsed status report the store could not hold, or None."""
    return (
        _device_problem(report.gateway_device_id, report.model_number)
        or integer_problem("bat", report.battery_percent)
        or integer_problem("sig", report.signal_bars)
        or text_problem("fw", report.firmware or "", FIRMWARE)
    )


def _device_problem(gateway_device_id: str, model_number: str) -> str | None:
    return (text_problem("deviceId", gateway_device_id, GATEWAY_DEVICE_ID)
            or text_problem("modelNumber", model_number, MODEL_NUMBER))
