"""Readings: what a home device measured, with explicit units."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum


class Unit(StrEnum):
    """UCUM units used for home vital signs."""

    MM_HG = "mm[Hg]"
    PER_MIN = "/min"
    PERCENT = "%"
    KG = "kg"
    MG_DL = "mg/dL"
    MMOL_L = "mmol/L"


@dataclass(frozen=True)
class Quantity:
    """A measured value with its unit."""

    value: Decimal
    unit: Unit

    def __repr__(self) -> str:  # a reading value is PHI: never in logs, tracebacks or error text
        return f"Quantity(<redacted> {self.unit})"

    __str__ = __repr__


class VitalSign(StrEnum):
    """The individual values a reading can carry."""

    SYSTOLIC = "systolic"
    DIASTOLIC = "diastolic"
    PULSE = "pulse"
    SPO2 = "spo2"
    BODY_WEIGHT = "body_weight"
    GLUCOSE = "glucose"


class ReadingKind(StrEnum):
    """What kind of measurement a reading is."""

    BLOOD_PRESSURE = "blood_pressure"
    HEART_RATE = "heart_rate"
    SPO2 = "spo2"
    BODY_WEIGHT = "body_weight"
    GLUCOSE = "glucose"


REQUIRED_SIGNS: Mapping[ReadingKind, frozenset[VitalSign]] = {
    ReadingKind.BLOOD_PRESSURE: frozenset({VitalSign.SYSTOLIC, VitalSign.DIASTOLIC}),
    ReadingKind.HEART_RATE: frozenset({VitalSign.PULSE}),
    ReadingKind.SPO2: frozenset({VitalSign.SPO2}),
    ReadingKind.BODY_WEIGHT: frozenset({VitalSign.BODY_WEIGHT}),
    ReadingKind.GLUCOSE: frozenset({VitalSign.GLUCOSE}),
}


class ReadingStatus(StrEnum):
    """Where a reading stands in the pipeline."""

    ACCEPTED = "accepted"  # attributed to a patient; triaged and sent to the EMR
    QUARANTINED = "quarantined"  # device unknown or unassigned at measurement time
    DISCARDED = "discarded"  # not a usable patient reading; kept with its reason
    ENTERED_IN_ERROR = "entered_in_error"  # withdrawn after it was found misattributed


@dataclass(frozen=True)
class Measurement:
    """A device's measurement before it is attributed to a patient."""

    kind: ReadingKind
    measured_at: datetime
    values: Mapping[VitalSign, Quantity]
    context: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.measured_at.tzinfo is None:
            raise ValueError("measurement time must carry its UTC offset")
        missing = REQUIRED_SIGNS[self.kind] - set(self.values)
        if missing:
            raise ValueError(f"{self.kind} reading lacks {sorted(missing)}")


@dataclass(frozen=True)
class Reading:
    """A stored reading. `patient_id` is None while quarantined or when discarded unattributed."""

    id: str
    device_id: str
    user_slot: str
    measurement: Measurement
    status: ReadingStatus
    patient_id: str | None
    recorded_at: datetime
    delivery_id: str | None = None
    reason: str | None = None

    @property
    def kind(self) -> ReadingKind:
        return self.measurement.kind

    @property
    def measured_at(self) -> datetime:
        return self.measurement.measured_at

    def value(self, sign: VitalSign) -> Quantity | None:
        return self.measurement.values.get(sign)
