"""What billing needs beyond readings: RPM consent on record and logged management time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from domain.errors import InvalidInput

MAX_MINUTES_PER_ENTRY = 240


@dataclass(frozen=True)
class RpmConsent:
    patient_id: str
    consented: bool
    recorded_at: datetime
    recorded_by: str


@dataclass(frozen=True)
class TimeEntry:
    """Minutes of remote-monitoring management time; `interactive`: a live conversation with the patient."""

    id: str
    patient_id: str
    user_id: str
    performed_on: date
    minutes: int
    interactive: bool
    created_at: datetime

    def __post_init__(self) -> None:
        if not 1 <= self.minutes <= MAX_MINUTES_PER_ENTRY:
            raise InvalidInput(f"minutes must be between 1 and {MAX_MINUTES_PER_ENTRY}")
