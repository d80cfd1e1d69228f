"""FakeUnitOfWork: transactional semantics over InMemoryStore (commit or nothing)."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from adapters.fakes.audit import FakeAuditLog, PendingAuditEntries
from adapters.fakes.care import InMemoryCareRecords, InMemoryRevocations
from adapters.fakes.dashboard import InMemoryDashboard
from adapters.fakes.delivery_health import InMemoryDeliveryHealth
from adapters.fakes.emr_connections import InMemoryEmrConnectionRepository
from adapters.fakes.repositories import (
    InMemoryDeliveryRepository,
    InMemoryDeviceRepository,
    InMemoryOutboxRepository,
    InMemoryPatientRepository,
    InMemoryUserRepository,
)
from adapters.fakes.repositories_clinical import (
    InMemoryAlertRepository,
    InMemoryPushTokenRepository,
    InMemoryThresholdRepository,
)
from adapters.fakes.repositories_readings import InMemoryReadingRepository
from adapters.fakes.store import InMemoryStore, Tables


class FakeUnitOfWork:
    """Each `async with` works on a private copy; `commit` publishes it, anything else discards it.
    Audit entries written through `audit` reach `audit_log` the same way."""

    def __init__(self, store: InMemoryStore, audit_log: FakeAuditLog | None = None) -> None:
        self._store = store
        self._audit_log = FakeAuditLog() if audit_log is None else audit_log
        self._working: Tables | None = None

    async def __aenter__(self) -> Self:
        await self._store.lock.acquire()
        self._begin()
        return self

    def _begin(self) -> None:
        self._working = self._store.committed.copy()
        self.patients = InMemoryPatientRepository(self._working)
        self.devices = InMemoryDeviceRepository(self._working)
        self.readings = InMemoryReadingRepository(self._working)
        self.deliveries = InMemoryDeliveryRepository(self._working)
        self.outbox = InMemoryOutboxRepository(self._working)
        self.alerts = InMemoryAlertRepository(self._working)
        self.users = InMemoryUserRepository(self._working)
        self.thresholds = InMemoryThresholdRepository(self._working)
        self.push_tokens = InMemoryPushTokenRepository(self._working)
        self.dashboard = InMemoryDashboard(self._working)
        self.care = InMemoryCareRecords(self._working)
        self.revocations = InMemoryRevocations(self._working)
        self.emr_connections = InMemoryEmrConnectionRepository(self._working)
        self.delivery_health = InMemoryDeliveryHealth(self._working)
        self.audit = PendingAuditEntries(self._audit_log)

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._working = None
        self._store.lock.release()

    async def commit(self) -> None:
        if self._working is None:
            raise RuntimeError("commit outside of a transaction")
        self._store.committed = self._working
        self._store.commits += 1
        self.audit.publish()
        self._begin()

    async def rollback(self) -> None:
        self._begin()
