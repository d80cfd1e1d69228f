"""The inbound adapter: a verified body becomes a domain message, or a `Malformed` value with the reason.

Nothing past this point sees raw JSON or handles a parse error: the intake decides what a malformed
body becomes (kept and reported as rejected), like any other message.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import structlog

from adapters.mioconnect.parse import MalformedMessage, parse_status, parse_telemetry
from domain.deliveries import DeviceStatusReport, DeviceTelemetry, IncomingDelivery, Malformed

SOURCE = "mioconnect"
PARSER_BUG = "body could not be parsed (unexpected parser error)"
T = TypeVar("T")
_log = structlog.get_logger("vantrexia.mioconnect")


def telemetry_message(body: bytes) -> DeviceTelemetry | Malformed:
    return message_of(parse_telemetry, body)


def status_message(body: bytes) -> DeviceStatusReport | Malformed:
    return message_of(parse_status, body)


def message_of(parse: Callable[[bytes], T], body: bytes) -> T | Malformed:
    """What `parse` makes of `body`, or why it could not; a bug in the parser is a reason too."""
    try:
        return parse(body)
    except MalformedMessage as error:
        return Malformed(str(error))
    except Exception as error:  # noqa: BLE001 - a parser bug must not lose a signed delivery: kept as rejected
        _log.error("webhook_parse_failed", error_type=type(error).__name__)
        return Malformed(PARSER_BUG)


def telemetry_delivery(webhook_id: str, body: bytes) -> IncomingDelivery:
    """A verified telemetry delivery (webhook or pulled page), whatever its body holds."""
    return IncomingDelivery(SOURCE, webhook_id, body, telemetry_message(body))


def status_delivery(webhook_id: str, body: bytes) -> IncomingDelivery:
    """A verified device status delivery, whatever its body holds."""
    return IncomingDelivery(SOURCE, webhook_id, body, status_message(body))
