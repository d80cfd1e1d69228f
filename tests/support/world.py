"""The one World of stateful fakes every test uses: read back what happened from it, never from mocks; plus
the dishka provider that overrides the production adapters with it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from dishka import AsyncContainer, Provider, Scope, provide

from adapters.auth.passwords import Argon2PasswordHasher
from adapters.fakes.audit import FakeAuditLog
from adapters.fakes.clock import FixedClock, FixedRandom, SequentialIds
from adapters.fakes.device_gateway import FakeDeviceGateway
from adapters.fakes.emr import FakeEmrGateway
from adapters.fakes.emr_directory import FakeEmrDirectory
from adapters.fakes.keystore import FakeKeyStore
from adapters.fakes.login_failures import InMemoryLoginFailures
from adapters.fakes.notifier import FakeNotifier
from adapters.fakes.store import InMemoryStore, Tables
from adapters.fakes.synthetic import synthetic_patients
from adapters.fakes.unit_of_work import FakeUnitOfWork
from application.auditing import Auditor
from application.triage_reading import TriagePolicy, TriageReading
from domain.emr_connections import EmrConnection, EmrVendor
from domain.ports import (
    AuditLog,
    Clock,
    DeviceGateway,
    EmrDirectory,
    EmrGateway,
    IdGenerator,
    KeyStore,
    LoginFailures,
    Notifier,
    PasswordHasher,
    RandomSource,
    UnitOfWork,
)
from entrypoints.emr_wiring import stored_connections

# the fixtures' readings were taken on 2026-11-20 (UTC-5 afternoon)
FIXTURE_TIME = datetime(2026, 11, 20, 18, 5, tzinfo=UTC)


@dataclass
class World:
    """Everything outside the code under test, observable by the test."""

    store: InMemoryStore = field(default_factory=InMemoryStore)
    emr: FakeEmrGateway = field(default_factory=lambda: FakeEmrGateway(synthetic_patients(20)))
    emrs: dict[str, FakeEmrGateway] = field(default_factory=dict)  # other practices' EMRs, by practice id
    # what the EMR directory says each named practice's connection can take now (0: resting or every slot taken)
    emr_rooms: dict[str, int] = field(default_factory=dict)
    gateway: FakeDeviceGateway = field(default_factory=FakeDeviceGateway)
    notifier: FakeNotifier = field(default_factory=FakeNotifier)
    audit: FakeAuditLog = field(default_factory=FakeAuditLog)
    keys: FakeKeyStore = field(default_factory=FakeKeyStore)
    clock: FixedClock = field(default_factory=lambda: FixedClock(FIXTURE_TIME))
    ids: SequentialIds = field(default_factory=SequentialIds)
    random: FixedRandom = field(default_factory=FixedRandom)
    hasher: Argon2PasswordHasher = field(
        default_factory=lambda: Argon2PasswordHasher(time_cost=1, memory_cost=1024)
    )
    login_failures: InMemoryLoginFailures = field(default_factory=InMemoryLoginFailures)

    @property
    def uow(self) -> FakeUnitOfWork:
        """A new unit of work on the store (use cases under test get one each)."""
        return FakeUnitOfWork(self.store, self.audit)

    @property
    def db(self) -> Tables:
        """What has been committed."""
        return self.store.committed

    @property
    def emr_directory(self) -> FakeEmrDirectory:
        """Each practice's EMR: `emr` for `default`, `emrs[practice]` for a practice with a stored connection."""
        return FakeEmrDirectory(self.emr, self._stored_connections, self.emrs, self.emr_rooms)

    def connect(self, *practice_ids: str, emr: FakeEmrGateway | None = None) -> None:
        """Give each practice a stored active EMR connection, to `emr` (default: the `default` practice's EMR,
        as clinics that share one EMR server; its patients are theirs to import)."""
        now = self.clock.now()
        for practice_id in practice_ids:
            self.db.emr_connections[f"conn-{practice_id}"] = EmrConnection(
                id=f"conn-{practice_id}", practice_id=practice_id, vendor=EmrVendor.SMART,
                fhir_base_url=f"https://{practice_id}.emr.example/fhir", client_id="vantrexia",
                created_at=now, updated_at=now)
            self.emrs[practice_id] = emr or self.emr

    async def _stored_connections(self) -> Sequence[EmrConnection]:
        return list(self.db.emr_connections.values())

    @property
    def auditor(self) -> Auditor:
        return Auditor(self.audit, self.clock)

    @property
    def triage(self) -> TriageReading:
        return TriageReading(self.ids, TriagePolicy())


class FakesProvider(Provider):
    """Overrides every port with the World's fakes (override=True is checked by dishka)."""

    def __init__(self, world: World, *, fake_database: bool = True, fake_emr: bool = True) -> None:
        super().__init__()
        self._world = world
        if fake_emr:
            self.provide(self._emr, scope=Scope.APP, provides=EmrGateway, override=True)
            directory = self._directory if fake_database else self._directory_on_database
            self.provide(directory, scope=Scope.APP, provides=EmrDirectory, override=True)
        if fake_database:
            self.provide(self._uow, scope=Scope.REQUEST, provides=UnitOfWork, override=True)
            self.provide(self._audit, scope=Scope.APP, provides=AuditLog, override=True)
            self.provide(self._login_failures, scope=Scope.APP, provides=LoginFailures, override=True)

    def _uow(self) -> FakeUnitOfWork:
        return FakeUnitOfWork(self._world.store, self._world.audit)

    def _audit(self) -> FakeAuditLog:
        return self._world.audit

    def _login_failures(self) -> InMemoryLoginFailures:
        return self._world.login_failures

    def _emr(self) -> FakeEmrGateway:
        return self._world.emr

    def _directory(self) -> FakeEmrDirectory:
        return self._world.emr_directory

    def _directory_on_database(self, container: AsyncContainer) -> FakeEmrDirectory:
        world = self._world
        return FakeEmrDirectory(world.emr, stored_connections(container), world.emrs, world.emr_rooms)

    @provide(scope=Scope.APP, override=True)
    def gateway(self) -> DeviceGateway:
        return self._world.gateway

    @provide(scope=Scope.APP, override=True)
    def notifier(self) -> Notifier:
        return self._world.notifier

    @provide(scope=Scope.APP, override=True)
    def keys(self) -> KeyStore:
        return self._world.keys

    @provide(scope=Scope.APP, override=True)
    def clock(self) -> Clock:
        return self._world.clock

    @provide(scope=Scope.APP, override=True)
    def ids(self) -> IdGenerator:
        return self._world.ids

    @provide(scope=Scope.APP, override=True)
    def random(self) -> RandomSource:
        return self._world.random

    @provide(scope=Scope.APP, override=True)
    def hasher(self) -> PasswordHasher:
        return self._world.hasher
