"""RecordConsent and LogManagementTime: what RPM billing needs on record."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from application.access import patient_for
from application.auditing import Auditor
from application.context import Actor
from domain.care import RpmConsent, TimeEntry
from domain.errors import InvalidInput
from domain.ports import Clock, IdGenerator, UnitOfWork


@dataclass(frozen=True)
class ConsentCommand:
    actor: Actor
    patient_id: str
    consented: bool
    recorded_at: datetime | None = None


@dataclass(frozen=True)
class TimeEntryCommand:
    actor: Actor
    patient_id: str
    minutes: int
    interactive: bool
    performed_on: date | None = None


@dataclass(frozen=True)
class CareOverview:
    """What is on record for billing: the consent (None: never asked) and this month's management time."""

    consent: RpmConsent | None
    time_this_month: tuple[TimeEntry, ...]

    @property
    def minutes_this_month(self) -> int:
        return sum(entry.minutes for entry in self.time_this_month)


class CareRecords:
    def __init__(self, uow: UnitOfWork, clock: Clock, ids: IdGenerator, auditor: Auditor) -> None:
        self._uow = uow
        self._clock = clock
        self._ids = ids
        self._auditor = auditor

    async def overview(self, actor: Actor, patient_id: str) -> CareOverview:
        """The patient's consent and the management time logged in the current calendar month (UTC)."""
        today = self._clock.now().date()
        month_start = today.replace(day=1)
        next_month = (month_start + timedelta(days=32)).replace(day=1)
        async with self._uow as uow:
            await patient_for(uow, actor, patient_id)
            consent = await uow.care.consent(patient_id)
            entries = await uow.care.time_entries(patient_id, month_start, next_month)
        await self._auditor.record(actor, "care.read", "Patient", [patient_id])
        return CareOverview(consent, tuple(entries))

    async def record_consent(self, command: ConsentCommand) -> RpmConsent:
        now = self._clock.now()
        recorded_at = command.recorded_at or now
        if recorded_at.tzinfo is None or recorded_at > now:
            raise InvalidInput("recorded_at must carry a UTC offset and not lie in the future")
        consent = RpmConsent(command.patient_id, command.consented, recorded_at, command.actor.id)
        async with self._uow as uow:
            await patient_for(uow, command.actor, command.patient_id)
            await uow.care.save_consent(consent)
            await uow.commit()
        await self._auditor.record(command.actor, "consent.record", "Patient", [command.patient_id],
                                   consented=str(command.consented).lower())
        return consent

    async def log_time(self, command: TimeEntryCommand) -> TimeEntry:
        now = self._clock.now()
        performed_on = command.performed_on or now.date()
        if performed_on > now.date():
            raise InvalidInput("management time cannot be logged for a future day")
        entry = TimeEntry(self._ids.new_id(), command.patient_id, command.actor.id, performed_on, command.minutes,
                          command.interactive, now)
        async with self._uow as uow:
            await patient_for(uow, command.actor, command.patient_id)
            await uow.care.add_time_entry(entry)
            await uow.commit()
        await self._auditor.record(command.actor, "time_entry.add", "Patient", [command.patient_id, entry.id])
        return entry

