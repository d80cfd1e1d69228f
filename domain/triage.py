"""Triage rules: pure functions from a reading (and recent weights) to findings.

Defaults follow DESIGN.md §7; a patient's care team may override any threshold (e.g. COPD
patients whose usual SpO2 is 88-92 %).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from decimal import Decimal

from domain.alerts import Severity
from domain.readings import Reading, VitalSign
from domain.validation import glucose_mg_dl

KG_PER_LB = Decimal("0.45359237")
# members read per reading, looked up once: on Python 3.11 `Enum.MEMBER` goes through EnumType's __getattr__ hook
_SYSTOLIC, _DIASTOLIC, _PULSE, _GLUCOSE = VitalSign.SYSTOLIC, VitalSign.DIASTOLIC, VitalSign.PULSE, VitalSign.GLUCOSE
_BODY_WEIGHT = VitalSign.BODY_WEIGHT


@dataclass(frozen=True)
class Thresholds:
    """Alert thresholds; crisis/critical limits are exclusive (>), warning limits as in the guideline."""

    systolic_crisis_above: Decimal = Decimal(180)
    diastolic_crisis_above: Decimal = Decimal(120)
    systolic_stage2_from: Decimal = Decimal(140)
    diastolic_stage2_from: Decimal = Decimal(90)
    systolic_low_below: Decimal = Decimal(90)
    systolic_critical_low_below: Decimal = Decimal(80)
    spo2_low_below: Decimal = Decimal(90)
    spo2_critical_below: Decimal = Decimal(85)
    pulse_low_below: Decimal = Decimal(50)
    pulse_critical_low_below: Decimal = Decimal(40)
    pulse_high_above: Decimal = Decimal(100)
    pulse_critical_high_above: Decimal = Decimal(120)
    glucose_low_below: Decimal = Decimal(70)
    glucose_critical_low_below: Decimal = Decimal(54)
    glucose_high_above: Decimal = Decimal(250)
    glucose_critical_high_above: Decimal = Decimal(400)
    weight_gain_day_lb: Decimal = Decimal(2)
    weight_gain_week_lb: Decimal = Decimal(5)

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))


@dataclass(frozen=True)
class Finding:
    """A rule that fired: its name, severity and a PHI-free description."""

    rule: str
    severity: Severity
    summary: str


@dataclass(frozen=True)
class WeightPoint:
    measured_at: datetime
    kg: Decimal


def _value(reading: Reading, sign: VitalSign) -> Decimal | None:
    quantity = reading.value(sign)
    if quantity is None:
        return None
    return glucose_mg_dl(quantity) if sign is _GLUCOSE else quantity.value


def blood_pressure(reading: Reading, t: Thresholds) -> list[Finding]:
    sys_, dia = _value(reading, _SYSTOLIC), _value(reading, _DIASTOLIC)
    if sys_ is None or dia is None:
        return []
    if sys_ > t.systolic_crisis_above or dia > t.diastolic_crisis_above:
        return [Finding("bp_crisis", Severity.CRITICAL, "blood pressure in the crisis range")]
    if sys_ < t.systolic_critical_low_below:
        return [Finding("hypotension", Severity.CRITICAL, "systolic pressure critically low")]
    if sys_ < t.systolic_low_below:
        return [Finding("hypotension", Severity.WARNING, "systolic pressure low")]
    if sys_ >= t.systolic_stage2_from or dia >= t.diastolic_stage2_from:
        return [Finding("bp_stage2", Severity.WARNING, "blood pressure in the stage 2 range")]
    return []


def _banded(
    value: Decimal | None, rule: str, what: str, *, low: Decimal | None = None, critical_low: Decimal | None = None,
    high: Decimal | None = None, critical_high: Decimal | None = None,
) -> list[Finding]:
    if value is None:
        return []
    if critical_low is not None and value < critical_low:
        return [Finding(f"{rule}_low", Severity.CRITICAL, f"{what} critically low")]
    if low is not None and value < low:
        return [Finding(f"{rule}_low", Severity.WARNING, f"{what} low")]
    if critical_high is not None and value > critical_high:
        return [Finding(f"{rule}_high", Severity.CRITICAL, f"{what} critically high")]
    if high is not None and value > high:
        return [Finding(f"{rule}_high", Severity.WARNING, f"{what} high")]
    return []


def oxygen(reading: Reading, t: Thresholds) -> list[Finding]:
    return _banded(_value(reading, VitalSign.SPO2), "spo2", "oxygen saturation",
                   low=t.spo2_low_below, critical_low=t.spo2_critical_below)


def heart_rate(reading: Reading, t: Thresholds) -> list[Finding]:
    return _banded(_value(reading, _PULSE), "heart_rate", "heart rate",
                   low=t.pulse_low_below, critical_low=t.pulse_critical_low_below,
                   high=t.pulse_high_above, critical_high=t.pulse_critical_high_above)


def glucose(reading: Reading, t: Thresholds) -> list[Finding]:
    return _banded(_value(reading, VitalSign.GLUCOSE), "glucose", "blood glucose",
                   low=t.glucose_low_below, critical_low=t.glucose_critical_low_below,
                   high=t.glucose_high_above, critical_high=t.glucose_critical_high_above)


def weight_gain(reading: Reading, t: Thresholds, earlier: Iterable[WeightPoint]) -> list[Finding]:
    """Gain against the lowest weight in the previous day and week (heart-failure rule)."""
    now_kg = _value(reading, VitalSign.BODY_WEIGHT)
    if now_kg is None:
        return []
    findings = []
    for rule, window, limit_lb in (("weight_gain_day", timedelta(days=1), t.weight_gain_day_lb),
                                   ("weight_gain_week", timedelta(days=7), t.weight_gain_week_lb)):
        start = reading.measured_at - window
        previous = [p.kg for p in earlier if start <= p.measured_at < reading.measured_at]
        if previous and now_kg - min(previous) >= limit_lb * KG_PER_LB:
            findings.append(Finding(rule, Severity.WARNING, f"weight gain over {window.days} day(s)"))
    return findings


# Each rule with the vital sign it reads (blood pressure: systolic, then diastolic): a reading without that
# sign gives the rule nothing to find, so it is not asked.
RULES: tuple[tuple[VitalSign, Callable[[Reading, Thresholds], list[Finding]]], ...] = (
    (VitalSign.SYSTOLIC, blood_pressure), (VitalSign.SPO2, oxygen), (VitalSign.PULSE, heart_rate),
    (VitalSign.GLUCOSE, glucose),
)


def triage(reading: Reading, thresholds: Thresholds, earlier_weights: Iterable[WeightPoint] = ()) -> list[Finding]:
    """Every finding for an accepted reading (discarded readings are never triaged)."""
    values = reading.measurement.values
    findings = [finding for sign, rule in RULES if sign in values for finding in rule(reading, thresholds)]
    if _BODY_WEIGHT in values:
        findings += weight_gain(reading, thresholds, earlier_weights)
    return findings
