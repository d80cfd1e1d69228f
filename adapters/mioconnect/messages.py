"""The device cloud's forwarded-message shape, decoded with msgspec (unknown fields tolerated)."""

from __future__ import annotations

from decimal import Decimal

import msgspec


class Reading(msgspec.Struct, kw_only=True):
    """`data` of a telemetry message; which fields are present depends on `data_type`."""

    data_type: str
    ts: int
    tz: str = "UTC"
    uid: str | int = "1"
    imei: str | None = None
    bat: int | None = None
    sig: int | None = None
    # blood pressure
    systolic: Decimal | None = msgspec.field(default=None, name="sys")
    diastolic: Decimal | None = msgspec.field(default=None, name="dia")
    pulse: Decimal | None = msgspec.field(default=None, name="pul")
    irregular_heartbeat: bool | None = msgspec.field(default=None, name="ihb")
    # weight scale (grams)
    weight_grams: int | None = msgspec.field(default=None, name="wt")
    # glucose meter
    glucose: Decimal | None = msgspec.field(default=None, name="data")
    unit: int | None = None
    sample_type: int | None = None
    meal: int | None = None
    # pulse oximeter
    spo2: Decimal | None = None
    pulse_rate: Decimal | None = msgspec.field(default=None, name="pr")
    perfusion_index: Decimal | None = msgspec.field(default=None, name="pi")


class Status(msgspec.Struct, kw_only=True):
    """`status` of a device status message (field set illustrative in the vendor sample)."""

    data_type: str = "status"
    ts: int
    tz: str = "UTC"
    bat: int | None = None
    sig: int | None = None
    fw: str | None = None


class Telemetry(msgspec.Struct, kw_only=True):
    deviceId: str
    modelNumber: str = ""
    isTest: bool = False
    createdAt: int | None = None
    data: Reading


class StatusMessage(msgspec.Struct, kw_only=True):
    deviceId: str
    modelNumber: str = ""
    isTest: bool = False
    status: Status


TELEMETRY_DECODER = msgspec.json.Decoder(Telemetry)
STATUS_DECODER = msgspec.json.Decoder(StatusMessage)
