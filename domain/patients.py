"""Patients, imported from the EMR and linked to their EMR record."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

DEFAULT_PRACTICE = "default"


@dataclass(frozen=True)
class Patient:
    """A monitored patient; `emr_patient_id` links the patient to the EMR's record.

    `practice_id` is the practice whose care team looks after the patient: clinicians see the
    patients of their own practice only.
    """

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
    practice_id: str = DEFAULT_PRACTICE


@dataclass(frozen=True)
class EmrPatient:
    """Demographics as read from the EMR (what an import copies)."""

    emr_patient_id: str
    name: str
    birth_date: date | None
    mrn: str | None
    phone: str | None = None
    address: str | None = None


def refreshed_from_emr(patient: Patient, source: EmrPatient, now: datetime) -> Patient | None:
    """The patient with the EMR's current demographics, or None when nothing changed."""
    current = (source.name, source.birth_date, source.mrn, source.phone, source.address)
    if current == (patient.name, patient.birth_date, patient.mrn, patient.phone, patient.address):
        return None
    return replace(patient, name=source.name, birth_date=source.birth_date, mrn=source.mrn, phone=source.phone,
                   address=source.address, updated_at=now)


def patient_from_emr(
    patient_id: str, source: EmrPatient, now: datetime, practice_id: str = DEFAULT_PRACTICE
) -> Patient:
    """A new, active patient record of a practice, copied from the EMR's demographics."""
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
        practice_id=practice_id,
    )
