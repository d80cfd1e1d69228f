"""Which clinical observations a reading becomes, and their stable identifiers."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from domain.readings import Reading, ReadingKind, VitalSign

OBSERVATION_IDENTIFIER_SYSTEM = "urn:vantrexia:observation"


class ObservationCode(StrEnum):
    """LOINC codes of the Observations we send (primary coding)."""

    BLOOD_PRESSURE = "85354-9"
    HEART_RATE = "8867-4"
    SPO2 = "59408-5"
    BODY_WEIGHT = "29463-7"
    GLUCOSE = "41653-7"


_PRIMARY: dict[ReadingKind, ObservationCode] = {
    ReadingKind.BLOOD_PRESSURE: ObservationCode.BLOOD_PRESSURE,
    ReadingKind.HEART_RATE: ObservationCode.HEART_RATE,
    ReadingKind.SPO2: ObservationCode.SPO2,
    ReadingKind.BODY_WEIGHT: ObservationCode.BODY_WEIGHT,
    ReadingKind.GLUCOSE: ObservationCode.GLUCOSE,
}


# members read per reading, looked up once: on Python 3.11 `Enum.MEMBER` goes through EnumType's __getattr__ hook
_HEART_RATE, _PULSE = ObservationCode.HEART_RATE, VitalSign.PULSE


def observation_codes(reading: Reading) -> tuple[ObservationCode, ...]:
    """The Observations a reading yields: a pulse taken alongside BP or SpO2 is its own."""
    primary = _PRIMARY[reading.kind]
    if primary is not _HEART_RATE and reading.value(_PULSE) is not None:
        return (primary, _HEART_RATE)
    return (primary,)


def observation_identifier(reading_id: str, code: ObservationCode) -> str:
    """The identifier value that makes creating this Observation idempotent."""
    return f"{reading_id}-{code.value}"


@dataclass(frozen=True)
class ObservationSource:
    """A reading and what its Observations need from its patient and its device."""

    reading: Reading
    emr_patient_id: str
    practice_id: str  # the patient's: the EMR the Observations go to
    device_model: str


@dataclass(frozen=True)
class ObservationDraft:
    """Everything an EMR adapter needs to create one Observation for a reading."""

    code: ObservationCode
    reading: Reading
    emr_patient_id: str
    device_model: str

    @property
    def identifier(self) -> str:
        return observation_identifier(self.reading.id, self.code)
