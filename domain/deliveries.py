"""Inbound deliveries from the device cloud, kept raw so that nothing is lost."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from domain.readings import Measurement


class DeliveryStatus(StrEnum):
    """What became of a verified delivery."""

    RECEIVED = "received"
    ACCEPTED = "accepted"
    DUPLICATE = "duplicate"
    DISCARDED = "discarded"
    QUARANTINED = "quarantined"
    REJECTED = "rejected"  # body could not be parsed: kept for a person to look at
    STATUS_UPDATED = "status_updated"


@dataclass(frozen=True)
class Delivery:
    """One verified webhook delivery: its id, raw body and outcome."""

    id: str
    source: str
    webhook_id: str
    received_at: datetime
    body: bytes
    status: DeliveryStatus
    reason: str | None = None
    reading_id: str | None = None


@dataclass(frozen=True)
class FailedDelivery:
    """A verified delivery we could not take in (it failed its page alone): kept raw for diagnosis.

    Not a delivery: its webhook id stays free, so the gateway's re-delivery is taken in afresh.
    `error_type` names the kind of failure only (never message text, which may quote data).
    """

    id: str
    source: str
    webhook_id: str
    received_at: datetime
    body: bytes
    error_type: str


@dataclass(frozen=True)
class DeviceTelemetry:
    """A parsed telemetry message: a measurement from a device, not yet attributed.

    `device_problem` carries the device's own verdict that the value is not a patient
    measurement (sentinel values, control solution); `unknown_type` names a message type we
    do not understand (kept and reported, never dropped).
    """

    gateway_device_id: str
    model_number: str
    user_slot: str
    is_test: bool
    measurement: Measurement | None
    device_problem: str | None = None
    unknown_type: str | None = None


@dataclass(frozen=True)
class Malformed:
    """A verified body that is not a usable message. `reason` names the field, never its value."""

    reason: str


@dataclass(frozen=True)
class DeviceStatusReport:
    """A device's own status message (battery, signal, firmware): never a reading."""

    gateway_device_id: str
    model_number: str
    reported_at: datetime
    battery_percent: int | None = None
    signal_bars: int | None = None
    firmware: str | None = None


InboundMessage = DeviceTelemetry | DeviceStatusReport | Malformed


@dataclass(frozen=True)
class IncomingDelivery:
    """A delivery whose signature was verified: its raw body, kept whatever it holds, and the message
    the inbound adapter made of it."""

    source: str
    webhook_id: str
    body: bytes
    message: InboundMessage

