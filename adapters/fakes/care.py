"""Consent and management time in memory."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from adapters.fakes.store import Tables
from domain.care import RpmConsent, TimeEntry


class InMemoryRevocations:
    def __init__(self, tables: Tables) -> None:
        self._t = tables

    async def revoke(self, token_id: str, user_id: str, expires_at: datetime, revoked_at: datetime) -> None:
        self._t.revoked_tokens[token_id] = expires_at

    async def is_revoked(self, token_id: str) -> bool:
        return token_id in self._t.revoked_tokens


class InMemoryCareRecords:
    def __init__(self, tables: Tables) -> None:
        self._t = tables

    async def consent(self, patient_id: str) -> RpmConsent | None:
        return self._t.consents.get(patient_id)

    async def save_consent(self, consent: RpmConsent) -> None:
        self._t.consents[consent.patient_id] = consent

    async def add_time_entry(self, entry: TimeEntry) -> None:
        self._t.time_entries[entry.id] = entry

    async def time_entries(self, patient_id: str, start: date, end: date) -> Sequence[TimeEntry]:
        found = [e for e in self._t.time_entries.values()
                 if e.patient_id == patient_id and start <= e.performed_on < end]
        return sorted(found, key=lambda e: (e.performed_on, e.created_at, e.id))
