"""Patients, imported from the EMR and linked to their EMR record."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True)
class Patient:
    """A monitored patient; `emr_patient_id` links the patient to the EMR's record."""

    id: str
    emr_patient_id: str
    name: str
    birth_date: date | None
    mrn: str | None
    phone: str | None
    address: str | None
    active: bool
    imported_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class EmrPatient:
    """Demographics as read from the EMR (what an import copies)."""

    emr_patient_id: str
    name: str
    birth_date: date | None
    mrn: str | None
    phone: str | None = None
    address: str | None = None


def patient_from_emr(patient_id: str, source: EmrPatient, now: datetime) -> Patient:
    """A new, active patient record copied from the EMR's demographics."""
    return Patient(
        id=patient_id,
        emr_patient_id=source.emr_patient_id,
        name=source.name,
        birth_date=source.birth_date,
        mrn=source.mrn,
        phone=source.phone,
        address=source.address,
        active=True,
        imported_at=now,
        updated_at=now,
    )
