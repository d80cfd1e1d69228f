"""Plausibility and timing rules, at every boundary (DESIGN.md §7)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from domain.readings import Measurement, Quantity, ReadingKind, Unit, VitalSign
from domain.validation import discard_reason, implausibility, timing_problem
from tests.unit.conftest import NOW

KIND_OF = {VitalSign.SYSTOLIC: ReadingKind.BLOOD_PRESSURE, VitalSign.DIASTOLIC: ReadingKind.BLOOD_PRESSURE,
           VitalSign.PULSE: ReadingKind.HEART_RATE, VitalSign.SPO2: ReadingKind.SPO2,
           VitalSign.BODY_WEIGHT: ReadingKind.BODY_WEIGHT, VitalSign.GLUCOSE: ReadingKind.GLUCOSE}
UNIT_OF = {VitalSign.SYSTOLIC: Unit.MM_HG, VitalSign.DIASTOLIC: Unit.MM_HG, VitalSign.PULSE: Unit.PER_MIN,
           VitalSign.SPO2: Unit.PERCENT, VitalSign.BODY_WEIGHT: Unit.KG, VitalSign.GLUCOSE: Unit.MG_DL}
PARTNER = {VitalSign.SYSTOLIC: (VitalSign.DIASTOLIC, "20"), VitalSign.DIASTOLIC: (VitalSign.SYSTOLIC, "300")}


def single(sign: VitalSign, value: str, unit: Unit | None = None) -> Measurement:
    values = {sign: Quantity(Decimal(value), unit or UNIT_OF[sign])}
    if sign in PARTNER:
        partner, partner_value = PARTNER[sign]
        values[partner] = Quantity(Decimal(partner_value), Unit.MM_HG)
    return Measurement(KIND_OF[sign], NOW, values)


@pytest.mark.parametrize(
    ("sign", "low", "high"),
    [(VitalSign.SYSTOLIC, "50", "300"), (VitalSign.DIASTOLIC, "20", "200"), (VitalSign.PULSE, "20", "250"),
     (VitalSign.SPO2, "50", "100"), (VitalSign.BODY_WEIGHT, "20", "350"), (VitalSign.GLUCOSE, "20", "600")],
)
def test_plausible_ranges_are_inclusive(sign: VitalSign, low: str, high: str) -> None:
    step = Decimal("0.1")
    if sign is VitalSign.DIASTOLIC:  # keep systolic above diastolic while probing diastolic
        assert implausibility(single(sign, low)) is None
        assert "outside plausible range" in (implausibility(single(sign, str(Decimal(low) - step))) or "")
        return
    assert implausibility(single(sign, low)) is None
    assert implausibility(single(sign, high)) is None
    assert "outside plausible range" in (implausibility(single(sign, str(Decimal(low) - step))) or "")
    assert "outside plausible range" in (implausibility(single(sign, str(Decimal(high) + step))) or "")


def pressure(sys_: int, dia: int) -> Measurement:
    values = {VitalSign.SYSTOLIC: Quantity(Decimal(sys_), Unit.MM_HG),
              VitalSign.DIASTOLIC: Quantity(Decimal(dia), Unit.MM_HG)}
    return Measurement(ReadingKind.BLOOD_PRESSURE, NOW, values)


def test_diastolic_upper_bound() -> None:
    assert implausibility(pressure(250, 200)) is None
    assert implausibility(pressure(250, 201)) is not None


@pytest.mark.parametrize(("sys_", "dia"), [(120, 120), (90, 95)])
def test_systolic_must_be_above_diastolic(sys_: int, dia: int) -> None:
    assert implausibility(pressure(sys_, dia)) == "systolic not above diastolic"


@pytest.mark.parametrize(("mmol", "plausible"), [("1.0", False), ("1.2", True), ("33.3", True), ("33.4", False)])
def test_glucose_in_mmol_is_converted_before_the_range_check(mmol: str, plausible: bool) -> None:
    # 1.2 mmol/L = 21.6 mg/dL; 33.3 mmol/L = 599.9 mg/dL
    assert (implausibility(single(VitalSign.GLUCOSE, mmol, Unit.MMOL_L)) is None) is plausible


def test_a_value_in_an_unexpected_unit_is_implausible() -> None:
    assert "unexpected unit" in (implausibility(single(VitalSign.BODY_WEIGHT, "70", Unit.MG_DL)) or "")


@pytest.mark.parametrize(
    ("offset", "problem"),
    [(timedelta(minutes=10), None), (timedelta(minutes=10, seconds=1), "future"),
     (-timedelta(days=365), None), (-timedelta(days=365, seconds=1), "older than one year")],
)
def test_measurement_time_window(offset: timedelta, problem: str | None) -> None:
    reason = timing_problem(NOW + offset, NOW)
    assert (reason is None) if problem is None else (problem in (reason or ""))


def test_test_messages_and_device_problems_come_first() -> None:
    implausible = single(VitalSign.SPO2, "127")
    assert discard_reason(implausible, NOW, is_test=True, device_problem="x") == "test message from the device cloud"
    assert discard_reason(implausible, NOW, is_test=False, device_problem="device said no") == "device said no"
    assert "outside plausible range" in (discard_reason(implausible, NOW, is_test=False, device_problem=None) or "")


def test_reasons_never_quote_the_value() -> None:
    reason = implausibility(single(VitalSign.SPO2, "42.5")) or ""
    assert "42.5" not in reason
