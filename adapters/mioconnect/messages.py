"""The device cloud's forwarded-message shape, decoded with msgspec.

Unknown fields are skipped (msgspec's default), so vendor additions never break parsing. Numbers
are `int | float`, never `Decimal`: msgspec would also accept a JSON string as a Decimal, and a
string where the vendor sends a number is a wrong schema. Values are far below 15 significant
digits, so `Decimal(repr(float))` in the parser gives back exactly the digits the device sent.
"""

from __future__ import annotations

import msgspec

Number = int | float
Flag = bool | int  # some firmware sends 0/1 instead of false/true


class Reading(msgspec.Struct, kw_only=True):
    """`data` of a telemetry message; which fields are present depends on `data_type`."""

    data_type: str
    ts: int  # measurement time, unix seconds
    tz: str = "UTC"
    uid: str | int = "1"  # user slot on a device shared by two people
    # Device identifiers: typed loosely because we never use them beyond this decode.
    imei: str | int | None = None
    iccid: str | int | None = None
    sn: str | int | None = None
    bat: int | None = None
    sig: int | None = None
    # blood pressure (bpm_gen2_measure)
    systolic: Number | None = msgspec.field(default=None, name="sys")
    diastolic: Number | None = msgspec.field(default=None, name="dia")
    pulse: Number | None = msgspec.field(default=None, name="pul")
    irregular_heartbeat: Flag | None = msgspec.field(default=None, name="ihb")
    hand: Flag | None = None
    tri: Flag | None = None
    # weight scale (scale_gen2_measure), in grams
    weight_grams: int | None = msgspec.field(default=None, name="wt")
    # glucose meter (bgm_gen1_measure, bgm_gen2_measure)
    glucose: Number | None = msgspec.field(default=None, name="data")
    unit: int | None = None  # 1 mmol/L, 2 mg/dL
    sample_type: int | None = None  # 2 control solution
    meal: int | None = None  # 0 none, 1 before, 2 after
    # pulse oximeter (pulse_oximeter_measure)
    spo2: Number | None = None
    pulse_rate: Number | None = msgspec.field(default=None, name="pr")
    perfusion_index: Number | None = msgspec.field(default=None, name="pi")


class Status(msgspec.Struct, kw_only=True):
    """`status` of a device status message (the vendor sample's field set is illustrative)."""

    data_type: str = "status"
    ts: int
    tz: str = "UTC"
    bat: int | None = None
    sig: int | None = None
    fw: str | None = None
    hw: str | None = None


class Telemetry(msgspec.Struct, kw_only=True):
    """A forwarded measurement; `createdAt` is the transfer time, never the measurement time."""

    deviceId: str
    modelNumber: str = ""
    isTest: bool = False
    createdAt: int | None = None
    data: Reading


class StatusMessage(msgspec.Struct, kw_only=True):
    """A forwarded device status report: the same envelope with `status` instead of `data`."""

    deviceId: str
    modelNumber: str = ""
    isTest: bool = False
    createdAt: int | None = None
    status: Status


TELEMETRY_DECODER = msgspec.json.Decoder(Telemetry)
STATUS_DECODER = msgspec.json.Decoder(StatusMessage)
