"""Triage rules at every boundary of DESIGN.md §7, overrides, and the weight-gain trends."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest

from domain.alerts import Severity
from domain.readings import Measurement, Quantity, Reading, ReadingKind, ReadingStatus, Unit, VitalSign
from domain.triage import KG_PER_LB, Thresholds, WeightPoint, triage
from tests.unit.conftest import NOW

DEFAULTS = Thresholds()


def reading(kind: ReadingKind, **values: tuple[str, Unit]) -> Reading:
    quantities = {VitalSign(name): Quantity(Decimal(v), u) for name, (v, u) in values.items()}
    return Reading("r", "d", "1", Measurement(kind, NOW, quantities), ReadingStatus.ACCEPTED, "p", NOW)


def bp(sys_: str, dia: str) -> Reading:
    return reading(ReadingKind.BLOOD_PRESSURE, systolic=(sys_, Unit.MM_HG), diastolic=(dia, Unit.MM_HG))


def fired(r: Reading, thresholds: Thresholds = DEFAULTS) -> set[tuple[str, Severity]]:
    return {(f.rule, f.severity) for f in triage(r, thresholds)}


@pytest.mark.parametrize(
    ("sys_", "dia", "expected"),
    [("180", "80", {("bp_stage2", Severity.WARNING)}), ("181", "80", {("bp_crisis", Severity.CRITICAL)}),
     ("130", "120", {("bp_stage2", Severity.WARNING)}), ("130", "121", {("bp_crisis", Severity.CRITICAL)}),
     ("139", "89", set()), ("140", "70", {("bp_stage2", Severity.WARNING)}),
     ("120", "90", {("bp_stage2", Severity.WARNING)}), ("90", "60", set()),
     ("89", "60", {("hypotension", Severity.WARNING)}), ("80", "50", {("hypotension", Severity.WARNING)}),
     ("79", "50", {("hypotension", Severity.CRITICAL)})],
)
def test_blood_pressure_boundaries(sys_: str, dia: str, expected: set[tuple[str, Severity]]) -> None:
    assert fired(bp(sys_, dia)) == expected


@pytest.mark.parametrize(
    ("spo2", "expected"),
    [("90", set()), ("89", {("spo2_low", Severity.WARNING)}), ("85", {("spo2_low", Severity.WARNING)}),
     ("84", {("spo2_low", Severity.CRITICAL)})],
)
def test_oxygen_saturation_boundaries(spo2: str, expected: set[tuple[str, Severity]]) -> None:
    assert fired(reading(ReadingKind.SPO2, spo2=(spo2, Unit.PERCENT))) == expected


@pytest.mark.parametrize(
    ("rate", "expected"),
    [("50", set()), ("49", {("heart_rate_low", Severity.WARNING)}), ("40", {("heart_rate_low", Severity.WARNING)}),
     ("39", {("heart_rate_low", Severity.CRITICAL)}), ("100", set()),
     ("101", {("heart_rate_high", Severity.WARNING)}), ("120", {("heart_rate_high", Severity.WARNING)}),
     ("121", {("heart_rate_high", Severity.CRITICAL)})],
)
def test_heart_rate_boundaries(rate: str, expected: set[tuple[str, Severity]]) -> None:
    assert fired(reading(ReadingKind.HEART_RATE, pulse=(rate, Unit.PER_MIN))) == expected


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [("70", Unit.MG_DL, set()), ("69", Unit.MG_DL, {("glucose_low", Severity.WARNING)}),
     ("54", Unit.MG_DL, {("glucose_low", Severity.WARNING)}), ("53", Unit.MG_DL, {("glucose_low", Severity.CRITICAL)}),
     ("250", Unit.MG_DL, set()), ("251", Unit.MG_DL, {("glucose_high", Severity.WARNING)}),
     ("400", Unit.MG_DL, {("glucose_high", Severity.WARNING)}),
     ("401", Unit.MG_DL, {("glucose_high", Severity.CRITICAL)}),
     ("2.9", Unit.MMOL_L, {("glucose_low", Severity.CRITICAL)}),
     ("3.882", Unit.MMOL_L, {("glucose_low", Severity.WARNING)}),  # 69.94 mg/dL: rounding must not hide it
     ("6.4", Unit.MMOL_L, set())],
)
def test_glucose_boundaries_in_mg_dl(value: str, unit: Unit, expected: set[tuple[str, Severity]]) -> None:
    assert fired(reading(ReadingKind.GLUCOSE, glucose=(value, unit))) == expected


def test_a_copd_patient_override_moves_the_oxygen_limits() -> None:
    copd = replace(DEFAULTS, spo2_low_below=Decimal(88), spo2_critical_below=Decimal(85))
    assert fired(reading(ReadingKind.SPO2, spo2=("89", Unit.PERCENT)), copd) == set()
    assert fired(reading(ReadingKind.SPO2, spo2=("87", Unit.PERCENT)), copd) == {("spo2_low", Severity.WARNING)}


def test_a_pulse_taken_with_blood_pressure_is_triaged_too() -> None:
    r = reading(ReadingKind.BLOOD_PRESSURE, systolic=("186", Unit.MM_HG), diastolic=("124", Unit.MM_HG),
                pulse=("125", Unit.PER_MIN))
    assert fired(r) == {("bp_crisis", Severity.CRITICAL), ("heart_rate_high", Severity.CRITICAL)}


def weight(kg: Decimal) -> Reading:
    return reading(ReadingKind.BODY_WEIGHT, body_weight=(str(kg), Unit.KG))


@pytest.mark.parametrize(
    ("gain_lb", "ago", "expected"),
    [(Decimal("1.99"), timedelta(hours=20), set()),
     (Decimal(2), timedelta(hours=20), {"weight_gain_day"}),
     (Decimal(2), timedelta(days=3), set()),
     (Decimal("4.99"), timedelta(days=6), set()),
     (Decimal(5), timedelta(days=6), {"weight_gain_week"}),
     (Decimal(5), timedelta(hours=12), {"weight_gain_day", "weight_gain_week"}),
     (Decimal(6), timedelta(days=8), set())],
)
def test_weight_gain_over_a_day_and_a_week(gain_lb: Decimal, ago: timedelta, expected: set[str]) -> None:
    base = Decimal("80")
    earlier = [WeightPoint(NOW - ago, base)]
    findings = triage(weight(base + gain_lb * KG_PER_LB), DEFAULTS, earlier)
    assert {f.rule for f in findings} == expected


def test_summaries_carry_no_values() -> None:
    for finding in triage(bp("200", "130"), DEFAULTS):
        assert "200" not in finding.summary
