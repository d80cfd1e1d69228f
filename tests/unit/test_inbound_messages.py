"""The inbound adapter: a verified body becomes a message or a reason, never an exception."""

from __future__ import annotations

from adapters.mioconnect.inbound import PARSER_BUG, message_of, status_message, telemetry_message
from domain.deliveries import DeviceTelemetry, Malformed


def test_a_bug_in_the_parser_is_a_reason_not_a_lost_delivery() -> None:
    def broken(body: bytes) -> DeviceTelemetry:
        raise KeyError("a bug, not a malformed message")

    assert message_of(broken, b"{}") == Malformed(PARSER_BUG)


def test_malformed_bodies_are_values_with_the_parsers_reason() -> None:
    assert telemetry_message(b"not json") == Malformed("body is not valid JSON")
    assert isinstance(status_message(b'{"deviceId": 5}'), Malformed)
