"""Use cases wired to stateful fakes: what they did is read back from the fakes, never from mocks."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from adapters.auth.passwords import Argon2PasswordHasher
from adapters.fakes.audit import FakeAuditLog
from adapters.fakes.clock import FixedClock, FixedRandom, SequentialIds
from adapters.fakes.emr import FakeEmrGateway
from adapters.fakes.store import InMemoryStore, Tables
from adapters.fakes.synthetic import synthetic_patients
from adapters.fakes.unit_of_work import FakeUnitOfWork
from application.auditing import Auditor
from application.triage_reading import TriagePolicy, TriageReading
from domain.deliveries import DeviceTelemetry
from domain.readings import Measurement, Quantity, ReadingKind, Unit, VitalSign

NOW = datetime(2026, 11, 20, 18, 0, tzinfo=UTC)
LOCAL = timezone(timedelta(hours=-5))
CUFF = "860013045678901"


@dataclass
class Fakes:
    store: InMemoryStore = field(default_factory=InMemoryStore)
    emr: FakeEmrGateway = field(default_factory=lambda: FakeEmrGateway(synthetic_patients(10)))
    audit: FakeAuditLog = field(default_factory=FakeAuditLog)
    clock: FixedClock = field(default_factory=lambda: FixedClock(NOW))
    ids: SequentialIds = field(default_factory=SequentialIds)
    random: FixedRandom = field(default_factory=FixedRandom)
    hasher: Argon2PasswordHasher = field(default_factory=lambda: Argon2PasswordHasher(time_cost=1, memory_cost=1024))

    @property
    def uow(self) -> FakeUnitOfWork:
        return FakeUnitOfWork(self.store)

    @property
    def auditor(self) -> Auditor:
        return Auditor(self.audit, self.clock)

    @property
    def triage(self) -> TriageReading:
        return TriageReading(self.ids, TriagePolicy())

    @property
    def db(self) -> Tables:
        return self.store.committed


@pytest.fixture
def fakes() -> Fakes:
    return Fakes()


def bp(sys_: int = 128, dia: int = 82, pulse: int | None = 71, at: datetime | None = None, *,
       device: str = CUFF, slot: str = "1", is_test: bool = False, problem: str | None = None) -> DeviceTelemetry:
    values = {VitalSign.SYSTOLIC: Quantity(Decimal(sys_), Unit.MM_HG),
              VitalSign.DIASTOLIC: Quantity(Decimal(dia), Unit.MM_HG)}
    if pulse is not None:
        values[VitalSign.PULSE] = Quantity(Decimal(pulse), Unit.PER_MIN)
    measurement = Measurement(ReadingKind.BLOOD_PRESSURE, at or (NOW - timedelta(hours=1)).astimezone(LOCAL), values)
    return DeviceTelemetry(device, "TMB-2092-G", slot, is_test, measurement, device_problem=problem)
