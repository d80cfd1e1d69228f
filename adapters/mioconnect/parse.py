"""Forwarded messages → domain objects: units made explicit, device verdicts kept, nothing dropped.

Error messages name fields, never values or device identifiers (they may be PHI).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import TypeVar

import msgspec

from adapters.mioconnect.messages import STATUS_DECODER, TELEMETRY_DECODER, Reading
from domain.deliveries import DeviceStatusReport, DeviceTelemetry
from domain.readings import Measurement, Quantity, ReadingKind, Unit, VitalSign

SPO2_SENTINEL = Decimal(127)
PULSE_SENTINEL = Decimal(255)
CONTROL_SOLUTION = 2
GLUCOSE_UNITS = {1: Unit.MMOL_L, 2: Unit.MG_DL}
MEALS = {0: "none", 1: "before", 2: "after"}
T = TypeVar("T")
_TZ = re.compile(r"^UTC(?:([+-])(\d{1,2})(?::?(\d{2}))?)?$")


class MalformedMessage(ValueError):
    """The body is not a usable forwarded message (reason names the field, never its value)."""


def parse_telemetry(body: bytes) -> DeviceTelemetry:
    """A telemetry message as a DeviceTelemetry; unknown message types are kept, not raised."""
    message = _decode(TELEMETRY_DECODER, body)
    data = message.data
    measured_at = _measurement_time(data.ts, data.tz)
    telemetry = DeviceTelemetry(
        gateway_device_id=message.deviceId, model_number=message.modelNumber, user_slot=str(data.uid),
        is_test=message.isTest, measurement=None,
    )
    build = _KINDS.get(data.data_type)
    if build is None:
        return replace(telemetry, unknown_type=data.data_type[:64])
    _check_finite(data)
    measurement, problem = build(data, measured_at)
    return replace(telemetry, measurement=measurement, device_problem=problem)


def parse_status(body: bytes) -> DeviceStatusReport:
    message = _decode(STATUS_DECODER, body)
    status = message.status
    return DeviceStatusReport(
        gateway_device_id=message.deviceId, model_number=message.modelNumber,
        reported_at=_measurement_time(status.ts, status.tz), battery_percent=status.bat,
        signal_bars=status.sig, firmware=status.fw,
    )


def _decode(decoder: msgspec.json.Decoder[T], body: bytes) -> T:
    try:
        return decoder.decode(body)
    except msgspec.DecodeError as error:
        if isinstance(error, msgspec.ValidationError):
            raise MalformedMessage(f"unexpected message shape: {error}") from None
        raise MalformedMessage("body is not valid JSON") from None


def _measurement_time(ts: int, tz: str) -> datetime:
    match = _TZ.match(tz.strip().upper())
    if not match:
        raise MalformedMessage("unrecognised tz")
    sign, hours, minutes = match.groups()
    offset = timedelta(hours=int(hours or 0), minutes=int(minutes or 0))
    if offset > timedelta(hours=14):
        raise MalformedMessage("tz offset out of range")
    zone = timezone(-offset if sign == "-" else offset) if offset else UTC
    try:
        return datetime.fromtimestamp(ts, tz=zone)
    except (OverflowError, OSError, ValueError):
        raise MalformedMessage("ts out of range") from None


Built = tuple[Measurement, str | None]
_VENDOR_NAMES = {f.name: f.encode_name for f in msgspec.structs.fields(Reading)}


def _check_finite(data: Reading) -> None:
    """Decimal accepts "NaN" and "Infinity": refuse them before any comparison."""
    for name in ("systolic", "diastolic", "pulse", "glucose", "spo2", "pulse_rate", "perfusion_index"):
        value = getattr(data, name)
        if value is not None and not value.is_finite():
            raise MalformedMessage(f"{_VENDOR_NAMES[name]} is not a number")


def _required(value: Decimal | int | None, field: str) -> Decimal:
    if value is None:
        raise MalformedMessage(f"{field} is missing")
    return Decimal(value)


def _blood_pressure(data: Reading, at: datetime) -> Built:
    values = {
        VitalSign.SYSTOLIC: Quantity(_required(data.systolic, "sys"), Unit.MM_HG),
        VitalSign.DIASTOLIC: Quantity(_required(data.diastolic, "dia"), Unit.MM_HG),
    }
    if data.pulse is not None:
        values[VitalSign.PULSE] = Quantity(data.pulse, Unit.PER_MIN)
    context = {"irregular_heartbeat": "true" if data.irregular_heartbeat else "false"}
    return Measurement(ReadingKind.BLOOD_PRESSURE, at, values, context), None


def _weight(data: Reading, at: datetime) -> Built:
    kg = _required(data.weight_grams, "wt") / Decimal(1000)
    return Measurement(ReadingKind.BODY_WEIGHT, at, {VitalSign.BODY_WEIGHT: Quantity(kg, Unit.KG)}), None


def _glucose(data: Reading, at: datetime) -> Built:
    unit = GLUCOSE_UNITS.get(data.unit if data.unit is not None else -1)
    if unit is None:
        raise MalformedMessage("unit must be 1 (mmol/L) or 2 (mg/dL)")
    value = Quantity(_required(data.glucose, "data"), unit)
    context = {"meal": MEALS.get(data.meal if data.meal is not None else 0, "unknown")}
    problem = "control solution test, not a patient reading" if data.sample_type == CONTROL_SOLUTION else None
    return Measurement(ReadingKind.GLUCOSE, at, {VitalSign.GLUCOSE: value}, context), problem


def _pulse_oximeter(data: Reading, at: datetime) -> Built:
    spo2 = _required(data.spo2, "spo2")
    values = {VitalSign.SPO2: Quantity(spo2, Unit.PERCENT)}
    if data.pulse_rate is not None:
        values[VitalSign.PULSE] = Quantity(data.pulse_rate, Unit.PER_MIN)
    context = {"perfusion_index": str(data.perfusion_index)} if data.perfusion_index is not None else {}
    sentinel = spo2 == SPO2_SENTINEL or data.pulse_rate == PULSE_SENTINEL
    problem = "device could not measure (sentinel value)" if sentinel else None
    return Measurement(ReadingKind.SPO2, at, values, context), problem


_KINDS: dict[str, Callable[[Reading, datetime], Built]] = {
    "bpm_gen2_measure": _blood_pressure,
    "scale_gen2_measure": _weight,
    "bgm_gen1_measure": _glucose,
    "bgm_gen2_measure": _glucose,
    "pulse_oximeter_measure": _pulse_oximeter,
}
