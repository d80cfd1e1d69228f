"""What the patient page shows, in the clinic's words: readings with their units, one trend chart per kind of
reading (the reports' SVG with the patient's threshold bands), the thresholds form and sync items."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields, replace
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
# the unit a threshold is compared in, by the start of its name
THRESHOLD_UNITS = {"systolic": "mmHg", "diastolic": "mmHg", "spo2": "%", "pulse": "/min", "glucose": "mg/dL",
                   "weight": "lb"}


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
    out = []
    for f in fields(Thresholds):
        value: Decimal = getattr(thresholds, f.name)
        label = f.name.replace("_", " ").replace("spo2", "SpO2").capitalize().replace("Spo2", "SpO2")
        out.append(ThresholdField(f.name, label, THRESHOLD_UNITS[f.name.split("_")[0]], f"{value.normalize():f}",
                                  value != getattr(defaults, f.name)))
    return out


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
