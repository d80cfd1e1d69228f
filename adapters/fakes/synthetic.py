"""Deterministic synthetic patients for the fake EMR and the demo (no real person's data)."""

from __future__ import annotations

import random
from datetime import date, timedelta

from domain.patients import EmrPatient

_GIVEN = (
    "Ada", "Bram", "Celia", "Dario", "Elena", "Farid", "Greta", "Hugo", "Iris", "Jonas",
    "Kira", "Luca", "Mona", "Nils", "Olga", "Pavel", "Quinn", "Rosa", "Sami", "Tess",
)
_FAMILY = (
    "Abara", "Brightwater", "Calloway", "Dunmore", "Eskildsen", "Fairweather", "Galloway",
    "Holloway", "Ingram", "Jessup", "Kettering", "Lindqvist", "Marlowe", "Northcott", "Oakley",
)
_STREETS = ("Elm St", "Harbor Rd", "Maple Ave", "Mill Ln", "Orchard Way", "River Dr")


def synthetic_patients(count: int = 150, seed: int = 20261124) -> list[EmrPatient]:
    """`count` invented patients; the same seed always yields the same list."""
    rng = random.Random(seed)  # noqa: S311 - reproducible made-up data, not security
    patients = []
    for n in range(1, count + 1):
        given, family = rng.choice(_GIVEN), rng.choice(_FAMILY)
        born = date(1935, 1, 1) + timedelta(days=rng.randrange(0, 365 * 70))
        patients.append(
            EmrPatient(
                emr_patient_id=f"synthetic-patient-{n:04d}",
                name=f"{given} {family}",
                birth_date=born,
                mrn=f"SYN-{10000 + n}",
                phone=f"555-01{rng.randrange(0, 100):02d}",
                address=f"{rng.randrange(1, 999)} {rng.choice(_STREETS)}, Springfield",
            )
        )
    return patients
