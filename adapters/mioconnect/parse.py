"""Forwarded messages → domain objects: units made explicit, device verdicts kept, nothing dropped.

Error messages name fields, never values or device identifiers (they may be PHI).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from decimal import Decimal
from functools import lru_cache
from typing import TypeVar

import msgspec

from adapters.mioconnect.messages import STATUS_DECODER, TELEMETRY_DECODER, Number, Reading
from domain.deliveries import DeviceStatusReport, DeviceTelemetry
from domain.readings import Measurement, Quantity, ReadingKind, Unit, VitalSign
from domain.storage_limits import MESSAGE_TYPE, status_problem, telemetry_problem

SPO2_SENTINEL = Decimal(127)
PULSE_SENTINEL = Decimal(255)
SENTINEL_PROBLEM = "device could not measure (sentinel value)"
CONTROL_SOLUTION = 2
CONTROL_SOLUTION_PROBLEM = "control solution test, not a patient reading"
GLUCOSE_UNITS = {1: Unit.MMOL_L, 2: Unit.MG_DL}
MEALS = {0: "none", 1: "before", 2: "after"}
# Far beyond any device display; bounding here keeps later unit arithmetic (quantize) safe.
MAX_MAGNITUDE = Decimal(1_000_000)
MAX_OFFSET = timedelta(hours=14)
T = TypeVar("T")
_TZ = re.compile(r"UTC(?:([+-])([0-9]{1,2})(?::?([0-9]{2}))?)?")
# The Enum members a reading is built with, looked up once: on Python 3.11 each `VitalSign.X` goes
# through EnumType.__getattr__ (about 700 instructions), several times per delivery.
_KIND_BP, _KIND_WEIGHT, _KIND_GLUCOSE, _KIND_SPO2 = (
    ReadingKind.BLOOD_PRESSURE, ReadingKind.BODY_WEIGHT, ReadingKind.GLUCOSE, ReadingKind.SPO2)
_SYSTOLIC, _DIASTOLIC, _PULSE, _WEIGHT, _GLUCOSE, _SPO2 = (
    VitalSign.SYSTOLIC, VitalSign.DIASTOLIC, VitalSign.PULSE, VitalSign.BODY_WEIGHT, VitalSign.GLUCOSE, VitalSign.SPO2)
_MM_HG, _PER_MIN, _KG, _PERCENT = Unit.MM_HG, Unit.PER_MIN, Unit.KG, Unit.PERCENT


class MalformedMessage(ValueError):
    """The body is not a usable forwarded message (reason names the field, never its value)."""


def parse_telemetry(body: bytes) -> DeviceTelemetry:
    """A telemetry message as a DeviceTelemetry; unknown message types are kept, not raised.

    Whatever the bytes, the only exception is MalformedMessage: fields the store could not hold
    (too long, out of range, control characters) are refused here, before anything is stored.
    """
    return _storable(_telemetry(body), telemetry_problem)


def _telemetry(body: bytes) -> DeviceTelemetry:
    message = _decode(TELEMETRY_DECODER, body)
    data = message.data
    measured_at = measurement_time(data.ts, data.tz)
    build = _KINDS.get(data.data_type)
    measurement, problem = build(data, measured_at) if build is not None else (None, None)
    return DeviceTelemetry(
        gateway_device_id=message.deviceId, model_number=message.modelNumber, user_slot=str(data.uid),
        is_test=message.isTest, measurement=measurement, device_problem=problem,
        unknown_type=data.data_type[:MESSAGE_TYPE] if build is None else None,
    )


def parse_status(body: bytes) -> DeviceStatusReport:
    """A device status message (battery, signal, firmware) as a DeviceStatusReport (checked as above)."""
    message = _decode(STATUS_DECODER, body)
    status = message.status
    return _storable(DeviceStatusReport(
        gateway_device_id=message.deviceId, model_number=message.modelNumber,
        reported_at=measurement_time(status.ts, status.tz), battery_percent=status.bat,
        signal_bars=status.sig, firmware=status.fw,
    ), status_problem)


def _storable(parsed: T, problem_of: Callable[[T], str | None]) -> T:
    problem = problem_of(parsed)
    if problem:
        raise MalformedMessage(problem)
    return parsed


def measurement_time(ts: int, tz: str) -> datetime:
    """Unix seconds as an aware datetime in the device's offset ("UTC", "UTC-5", "UTC+5:30")."""
    zone = _zone(tz)
    try:
        return datetime.fromtimestamp(ts, tz=zone)
    except (OverflowError, OSError, ValueError):
        raise MalformedMessage("ts out of range") from None


@lru_cache(maxsize=64)  # devices send a handful of distinct offsets; a refused one is not kept
def _zone(tz: str) -> tzinfo:
    match = _TZ.fullmatch(tz.strip().upper())
    if not match:
        raise MalformedMessage("tz is not a UTC offset")
    sign, hours, minutes = match.groups()
    if int(minutes or 0) >= 60:
        raise MalformedMessage("tz is not a UTC offset")
    offset = timedelta(hours=int(hours or 0), minutes=int(minutes or 0))
    if offset > MAX_OFFSET:
        raise MalformedMessage("tz offset out of range")
    return timezone(-offset if sign == "-" else offset) if offset else UTC


def _decode(decoder: msgspec.json.Decoder[T], body: bytes) -> T:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        raise MalformedMessage("body is not UTF-8") from None
    try:
        return decoder.decode(body)
    except RecursionError:
        # msgspec skips unknown fields recursively; a body nesting ~1,000 levels exhausts the stack
        raise MalformedMessage("body nests too deeply") from None
    except msgspec.ValidationError as error:
        # msgspec names the type and the JSON path ("at `$.data.sys`"), never the offending value.
        raise MalformedMessage(f"unexpected message shape: {error}") from None
    except msgspec.DecodeError:
        raise MalformedMessage("body is not valid JSON") from None


Built = tuple[Measurement, str | None]


def _number(value: Number | None, field: str) -> Decimal:
    if value is None:
        raise MalformedMessage(f"{field} is missing")
    number = Decimal(value) if isinstance(value, int) else Decimal(repr(value))
    if not abs(number) < MAX_MAGNITUDE:
        raise MalformedMessage(f"{field} is out of range")
    return number


def _blood_pressure(data: Reading, at: datetime) -> Built:
    values = {
        _SYSTOLIC: Quantity(_number(data.systolic, "sys"), _MM_HG),
        _DIASTOLIC: Quantity(_number(data.diastolic, "dia"), _MM_HG),
    }
    if data.pulse is not None:
        values[_PULSE] = Quantity(_number(data.pulse, "pul"), _PER_MIN)
    context = {"irregular_heartbeat": "true" if data.irregular_heartbeat else "false"}
    return Measurement(_KIND_BP, at, values, context), None


def _weight(data: Reading, at: datetime) -> Built:
    if data.weight_grams is None:
        raise MalformedMessage("wt is missing")
    # Shifting the exponent is exact for any integer; dividing would round past 28 digits.
    sign, digits, exponent = Decimal(data.weight_grams).as_tuple()
    kg = Decimal((sign, digits, int(exponent) - 3))
    if not abs(kg) < MAX_MAGNITUDE:
        raise MalformedMessage("wt is out of range")
    return Measurement(_KIND_WEIGHT, at, {_WEIGHT: Quantity(kg, _KG)}), None


def _glucose(data: Reading, at: datetime) -> Built:
    unit = GLUCOSE_UNITS.get(data.unit) if data.unit is not None else None
    if unit is None:
        raise MalformedMessage("unit must be 1 (mmol/L) or 2 (mg/dL)")
    value = Quantity(_number(data.glucose, "data"), unit)
    context = {"meal": MEALS.get(data.meal if data.meal is not None else 0, "unknown")}
    problem = CONTROL_SOLUTION_PROBLEM if data.sample_type == CONTROL_SOLUTION else None
    return Measurement(_KIND_GLUCOSE, at, {_GLUCOSE: value}, context), problem


def _pulse_oximeter(data: Reading, at: datetime) -> Built:
    spo2 = _number(data.spo2, "spo2")
    values = {_SPO2: Quantity(spo2, _PERCENT)}
    pulse = _number(data.pulse_rate, "pr") if data.pulse_rate is not None else None
    if pulse is not None:
        values[_PULSE] = Quantity(pulse, _PER_MIN)
    context = {}
    if data.perfusion_index is not None:
        context["perfusion_index"] = str(_number(data.perfusion_index, "pi"))
    sentinel = spo2 == SPO2_SENTINEL or pulse == PULSE_SENTINEL
    return Measurement(_KIND_SPO2, at, values, context), SENTINEL_PROBLEM if sentinel else None


_KINDS: dict[str, Callable[[Reading, datetime], Built]] = {
    "bpm_gen2_measure": _blood_pressure,
    "scale_gen2_measure": _weight,
    "bgm_gen1_measure": _glucose,
    "bgm_gen2_measure": _glucose,
    "pulse_oximeter_measure": _pulse_oximeter,
}
