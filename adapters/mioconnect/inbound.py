"""The inbound adapter: a verified body becomes a domain message, or a `Malformed` value with the reason.

Nothing past this point sees raw JSON or handles a parse error: the intake decides what a malformed
body becomes (kept and reported as rejected), like any other message.
"""

from __future__ import annotations

from adapters.mioconnect.parse import MalformedMessage, parse_status, parse_telemetry
from domain.deliveries import DeviceStatusReport, DeviceTelemetry, IncomingDelivery, Malformed

SOURCE = "mioconnect"


def telemetry_message(body: bytes) -> DeviceTelemetry | Malformed:
    try:
        return parse_telemetry(body)
    except MalformedMessage as error:
        return Malformed(str(error))


def status_message(body: bytes) -> DeviceStatusReport | Malformed:
    try:
        return parse_status(body)
    except MalformedMessage as error:
        return Malformed(str(error))


def telemetry_delivery(webhook_id: str, body: bytes) -> IncomingDelivery:
    """A verified telemetry delivery (webhook or pulled page), whatever its body holds."""
    return IncomingDelivery(SOURCE, webhook_id, body, telemetry_message(body))


def status_delivery(webhook_id: str, body: bytes) -> IncomingDelivery:
    """A verified device status delivery, whatever its body holds."""
    return IncomingDelivery(SOURCE, webhook_id, body, status_message(body))
