"""What the patient page shows, in the clinic's words: readings with their units, one trend chart per kind of
reading (the reports' SVG with the patient's threshold bands), the thresholds form and sync items."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

from markupsafe import Markup

from application.reports import VitalsReport
from domain.errors import InvalidInput
from domain.observations import ObservationCode
from domain.readings import Reading, ReadingKind, Unit, VitalSign
from domain.sync import OutboxItem, SyncStatus
from domain.triage import Thresholds
from entrypoints.http.reports.svg_chart import vitals_svg

KINDS = {ReadingKind.BLOOD_PRESSURE: "Blood pressure", ReadingKind.HEART_RATE: "Heart rate",
         ReadingKind.SPO2: "Oxygen saturation", ReadingKind.BODY_WEIGHT: "Body weight",
         ReadingKind.GLUCOSE: "Blood glucose"}
SIGNS = {VitalSign.SYSTOLIC: "Systolic", VitalSign.DIASTOLIC: "Diastolic", VitalSign.PULSE: "Pulse",
         VitalSign.SPO2: "SpO2", VitalSign.BODY_WEIGHT: "Weight", VitalSign.GLUCOSE: "Glucose"}
UNITS = {Unit.MM_HG: "mmHg", Unit.PER_MIN: "/min", Unit.PERCENT: "%", Unit.KG: "kg", Unit.MG_DL: "mg/dL",
         Unit.MMOL_L: "mmol/L"}
OBSERVATIONS = {ObservationCode.BLOOD_PRESSURE: "Blood pressure", ObservationCode.HEART_RATE: "Heart rate",
                ObservationCode.SPO2: "Oxygen saturation", ObservationCode.BODY_WEIGHT: "Body weight",
                ObservationCode.GLUCOSE: "Blood glucose"}
# each threshold's label and the unit it is compared in
THRESHOLDS = {
    "systolic_crisis_above": ("Systolic crisis above", "mmHg"),
    "diastolic_crisis_above": ("Diastolic crisis above", "mmHg"),
    "systolic_stage2_from": ("Systolic stage 2 from", "mmHg"),
    "diastolic_stage2_from": ("Diastolic stage 2 from", "mmHg"),
    "systolic_low_below": ("Systolic low below", "mmHg"),
    "systolic_critical_low_below": ("Systolic critically low below", "mmHg"),
    "spo2_low_below": ("SpO2 low below", "%"),
    "spo2_critical_below": ("SpO2 critically low below", "%"),
    "pulse_low_below": ("Pulse low below", "/min"),
    "pulse_critical_low_below": ("Pulse critically low below", "/min"),
    "pulse_high_above": ("Pulse high above", "/min"),
    "pulse_critical_high_above": ("Pulse critically high above", "/min"),
    "glucose_low_below": ("Glucose low below", "mg/dL"),
    "glucose_critical_low_below": ("Glucose critically low below", "mg/dL"),
    "glucose_high_above": ("Glucose high above", "mg/dL"),
    "glucose_critical_high_above": ("Glucose critically high above", "mg/dL"),
    "weight_gain_day_lb": ("Weight gain in a day", "lb"),
    "weight_gain_week_lb": ("Weight gain in a week", "lb"),
}


def when(moment: datetime) -> str:
    """A time as the console shows it (UTC, to the minute)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


@dataclass(frozen=True)
class ReadingRow:
    id: str
    measured_at: str
    kind: str
    values: tuple[str, ...]
    status: str


def reading_rows(readings: Iterable[Reading]) -> list[ReadingRow]:
    """Each reading's values with their units, e.g. "Systolic 128 mmHg"."""
    return [
        ReadingRow(r.id, when(r.measured_at), KINDS[r.kind],
                   tuple(f"{SIGNS[sign]} {q.value.normalize():f} {UNITS[q.unit]}"
                         for sign in SIGNS if (q := r.value(sign)) is not None),
                   r.status.value.replace("_", " "))
        for r in readings
    ]


@dataclass(frozen=True)
class Chart:
    kind: str
    svg: Markup


def charts(report: VitalsReport) -> list[Chart]:
    """One chart per kind of reading the period holds, drawn by the reports' SVG renderer."""
    present = [kind for kind in ReadingKind if any(r.kind is kind for r in report.readings)]
    return [Chart(KINDS[kind], Markup(vitals_svg(replace(report, readings=[r for r in report.readings  # noqa: S704
                                                                          if r.kind is kind]))))
            for kind in present]


@dataclass(frozen=True)
class ThresholdField:
    name: str
    label: str
    unit: str
    value: str
    overridden: bool


def threshold_fields(thresholds: Thresholds) -> list[ThresholdField]:
    defaults = Thresholds()
    return [
        ThresholdField(name, label, unit, f"{getattr(thresholds, name).normalize():f}",
                       getattr(thresholds, name) != getattr(defaults, name))
        for name, (label, unit) in THRESHOLDS.items()
    ]


def threshold_overrides(form: Mapping[str, str]) -> dict[str, Decimal]:
    """The submitted thresholds that differ from the defaults (a value put back to its default stops
    overriding it); a missing or unreadable value is refused."""
    defaults = Thresholds()
    overrides = {}
    for name in Thresholds.names():
        text = (form.get(name) or "").strip()
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise InvalidInput("every threshold needs a number") from None
        if value != getattr(defaults, name):
            overrides[name] = value
    return overrides


@dataclass(frozen=True)
class SyncRow:
    id: str
    reading_id: str | None
    queued_at: str
    observation: str
    status: str
    attempts: int
    answer: str
    dead: bool


def sync_rows(items: Sequence[OutboxItem]) -> list[SyncRow]:
    """One row per Observation sent (or to be sent) to the EMR, in the order given (newest first)."""
    return [
        SyncRow(item.id, item.reading_id, when(item.created_at), _observation(item.code), item.status.value,
                item.attempts, " · ".join(filter(None, (f"HTTP {item.http_status}" if item.http_status else None,
                                                         item.external_id, item.last_error))) or "—",
                item.status is SyncStatus.DEAD)
        for item in items
    ]


def _observation(code: str | None) -> str:
    known = {c.value: label for c, label in OBSERVATIONS.items()}
    return known.get(code or "", code or "Observation")
