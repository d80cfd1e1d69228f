"""Plausibility and timing rules: which measurements are not usable patient readings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from domain.readings import Measurement, Quantity, Unit, VitalSign

MAX_FUTURE_SKEW = timedelta(minutes=10)
MAX_AGE = timedelta(days=365)
MMOL_TO_MG_DL = Decimal("18.016")
# members read per reading, looked up once: on Python 3.11 `Enum.MEMBER` goes through EnumType's __getattr__ hook
_GLUCOSE, _SYSTOLIC, _DIASTOLIC, _MMOL_L = VitalSign.GLUCOSE, VitalSign.SYSTOLIC, VitalSign.DIASTOLIC, Unit.MMOL_L


@dataclass(frozen=True)
class PlausibleRange:
    low: Decimal
    high: Decimal
    unit: Unit


PLAUSIBLE: dict[VitalSign, PlausibleRange] = {
    VitalSign.SYSTOLIC: PlausibleRange(Decimal(50), Decimal(300), Unit.MM_HG),
    VitalSign.DIASTOLIC: PlausibleRange(Decimal(20), Decimal(200), Unit.MM_HG),
    VitalSign.PULSE: PlausibleRange(Decimal(20), Decimal(250), Unit.PER_MIN),
    VitalSign.SPO2: PlausibleRange(Decimal(50), Decimal(100), Unit.PERCENT),
    VitalSign.BODY_WEIGHT: PlausibleRange(Decimal(20), Decimal(350), Unit.KG),
    VitalSign.GLUCOSE: PlausibleRange(Decimal(20), Decimal(600), Unit.MG_DL),
}


def glucose_mg_dl(quantity: Quantity) -> Decimal:
    """A glucose value in mg/dL, converting from mmol/L where needed.

    The exact product, unrounded: range and triage checks must not move a value across a limit
    (3.882 mmol/L is 69.94 mg/dL, below 70, even though it would display as 69.9 or 70).
    """
    if quantity.unit is _MMOL_L:
        return quantity.value * MMOL_TO_MG_DL
    return quantity.value


def _comparable(sign: VitalSign, quantity: Quantity) -> Decimal | None:
    if sign is _GLUCOSE:
        return glucose_mg_dl(quantity)
    if quantity.unit is not PLAUSIBLE[sign].unit:
        return None
    return quantity.value


def implausibility(measurement: Measurement) -> str | None:
    """Why a measurement cannot be a real patient value, or None when it is plausible."""
    for sign, quantity in measurement.values.items():
        bounds = PLAUSIBLE.get(sign)
        if bounds is None:
            continue
        value = _comparable(sign, quantity)
        if value is None:
            return f"{sign} has unexpected unit {quantity.unit}"
        if not bounds.low <= value <= bounds.high:
            return f"{sign} outside plausible range {bounds.low}-{bounds.high} {bounds.unit}"
    systolic = measurement.values.get(_SYSTOLIC)
    diastolic = measurement.values.get(_DIASTOLIC)
    if systolic and diastolic and systolic.value <= diastolic.value:
        return "systolic not above diastolic"
    return None


def timing_problem(measured_at: datetime, now: datetime) -> str | None:
    """Why a measurement time cannot be trusted, or None."""
    # in now's zone: comparing times of two zones asks both for their UTC offsets at every comparison
    measured_at = measured_at.astimezone(now.tzinfo)
    if measured_at > now + MAX_FUTURE_SKEW:
        return "measurement time more than 10 minutes in the future"
    if measured_at < now - MAX_AGE:
        return "measurement older than one year"
    return None


def discard_reason(
    measurement: Measurement, now: datetime, *, is_test: bool, device_problem: str | None
) -> str | None:
    """The first reason to keep a measurement out of triage and the EMR, or None."""
    if is_test:
        return "test message from the device cloud"
    if device_problem:
        return device_problem
    return timing_problem(measurement.measured_at, now) or implausibility(measurement)
