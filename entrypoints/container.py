"""The composition root: dishka providers per layer, and one provider class per adapter choice, picked
from Settings when the container is built (as in dishka's examples: no provider method branches on them)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

from dishka import (
    AsyncContainer,
    Provider,
    Scope,
    from_context,
    make_async_container,
    provide,
    provide_all,
)
from dishka.integrations.litestar import LitestarProvider
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.auth.passwords import Argon2PasswordHasher
from adapters.sql.audit import SqlAuditLog
from adapters.sql.engine import create_engine
from adapters.sql.login_failures import SqlLoginFailures
from adapters.sql.unit_of_work import SqlAlchemyUnitOfWork
from adapters.system.clock import SystemClock, SystemRandom, UuidGenerator
from adapters.telemetry.metrics import OtelMetrics
from adapters.telemetry.otel import OtelTracer
from application.alert_queue import ShowAlertQueue
from application.alerts import AlertWorkflow, PatientThresholds, RegisterPushToken
from application.assign_device import AssignDevice, UnassignDevice
from application.auditing import Auditor
from application.backlog import MeasureBacklog
from application.billing import BillingReport
from application.care import CareRecords
from application.connection_health import ReportConnectionHealth
from application.dashboard import ShowDashboard, ShowNeedsAttention
from application.device_queries import DeviceQueries
from application.emr_connection_queries import EmrConnectionQueries
from application.emr_connections import AddEmrConnection, ChangeEmrConnection
from application.import_patients import BrowseEmrPatients, ImportPatients
from application.keep_failed_delivery import KeepFailedDelivery
from application.login import LogIn, UnlockLogins
from application.push_alerts import EscalateAlerts
from application.quarantine import QuarantineQueries
from application.queries import PatientQueries
from application.register_device import RegisterDevice
from application.reports import ReportVitals
from application.retry_sync import RetrySyncItem
from application.sync_device_readings import SyncDeviceReadings, SyncPolicy
from application.take_in_deliveries import PageIntake, TakeInDeliveries
from application.triage_reading import TriagePolicy, TriageReading
from application.users import Authenticate, CreateUser
from application.withdraw_reading import WithdrawReading
from domain.login_throttle import ThrottlePolicy
from domain.ports import (
    AuditLog,
    Clock,
    IdGenerator,
    LoginFailures,
    Metrics,
    PasswordHasher,
    RandomSource,
    Tracer,
    UnitOfWork,
)
from domain.sync import RetryPolicy
from entrypoints.emr_providers import EcwEmrProvider, FakeEmrProvider, SandboxEmrProvider
from entrypoints.http.actor import ActorProvider
from entrypoints.http.client_address import TrustedProxies, parse_networks
from entrypoints.http.group_commit import GroupCommit, group_commit_on
from entrypoints.http.webhook_receiver import WebhookReceiver
from entrypoints.intake_wiring import IntakeProvider
from entrypoints.providers import (
    AwsKeyStoreProvider,
    CredentialsProvider,
    FakeDeviceGatewayProvider,
    FakeNotifierProvider,
    FcmProvider,
    FileKeyStoreProvider,
    MioConnectProvider,
)
from entrypoints.relay_wiring import RelayProvider
from entrypoints.settings import Settings
from entrypoints.worker import WorkerWakeup

# the adapter choices of Settings, each a provider class
EMR_PROVIDERS: dict[str, type[Provider]] = {
    "fake": FakeEmrProvider, "sandbox": SandboxEmrProvider, "ecw": EcwEmrProvider,
}
DEVICE_GATEWAY_PROVIDERS: dict[str, type[Provider]] = {
    "fake": FakeDeviceGatewayProvider, "mioconnect": MioConnectProvider,
}
NOTIFIER_PROVIDERS: dict[str, type[Provider]] = {"fake": FakeNotifierProvider, "fcm": FcmProvider}
KEY_STORE_PROVIDERS: dict[str, type[Provider]] = {"file": FileKeyStoreProvider, "aws": AwsKeyStoreProvider}


class InfrastructureProvider(Provider):
    """Database, clock, ids and other process-wide resources."""

    settings = from_context(Settings, scope=Scope.APP)

    @provide(scope=Scope.APP)
    async def engine(self, settings: Settings) -> AsyncIterator[AsyncEngine]:
        engine = create_engine(settings.database_url)
        yield engine
        await engine.dispose()

    @provide(scope=Scope.REQUEST)
    def unit_of_work(self, engine: AsyncEngine) -> UnitOfWork:
        return SqlAlchemyUnitOfWork(engine)

    @provide(scope=Scope.APP)
    def audit_log(self, engine: AsyncEngine) -> AuditLog:
        return SqlAuditLog(engine)

    @provide(scope=Scope.APP)
    def login_failures(self, engine: AsyncEngine) -> LoginFailures:
        return SqlLoginFailures(engine)

    clock = provide(SystemClock, provides=Clock, scope=Scope.APP)

    @provide(scope=Scope.APP)
    def tracer(self) -> Tracer:
        return OtelTracer()

    @provide(scope=Scope.APP)
    def metrics(self) -> Metrics:
        return OtelMetrics()

    ids = provide(UuidGenerator, provides=IdGenerator, scope=Scope.APP)
    random = provide(SystemRandom, provides=RandomSource, scope=Scope.APP)

    @provide(scope=Scope.APP)
    def hasher(self) -> PasswordHasher:
        return Argon2PasswordHasher()


class ApplicationProvider(Provider):
    """Use cases, one per request (they hold the request's unit of work)."""

    scope = Scope.REQUEST

    @provide(scope=Scope.APP)
    def retry_policy(self, settings: Settings) -> RetryPolicy:
        return RetryPolicy(max_attempts=settings.outbox_max_attempts)

    auditor = provide(Auditor, scope=Scope.APP)
    triage = provide(TriageReading, scope=Scope.APP)

    @provide(scope=Scope.APP)
    def triage_policy(self, settings: Settings) -> TriagePolicy:
        return TriagePolicy(
            dedupe_window=timedelta(hours=settings.alert_dedupe_hours),
            escalate_after=timedelta(minutes=settings.escalate_after_minutes),
        )
    @provide(scope=Scope.APP)
    def sync_policy(self, settings: Settings) -> SyncPolicy:
        return SyncPolicy(settings.sync_readings_per_transaction)
    @provide(scope=Scope.APP)
    def throttle_policy(self, settings: Settings) -> ThrottlePolicy:
        return ThrottlePolicy(
            per_username_at_address=settings.login_max_failures,
            per_address=settings.login_max_failures_per_address,
            window=timedelta(minutes=settings.login_window_minutes),
        )
    use_cases = provide_all(
        TakeInDeliveries, KeepFailedDelivery, RegisterDevice, AssignDevice, UnassignDevice, ImportPatients,
        BrowseEmrPatients, PatientQueries, CreateUser, Authenticate,
        SyncDeviceReadings, DeviceQueries, AlertWorkflow, PatientThresholds,
        RegisterPushToken, EscalateAlerts, ShowDashboard, ShowNeedsAttention, ShowAlertQueue, ReportConnectionHealth,
        ReportVitals,
        CareRecords, BillingReport, RetrySyncItem, MeasureBacklog, WithdrawReading,
        LogIn, UnlockLogins, AddEmrConnection, ChangeEmrConnection, EmrConnectionQueries, QuarantineQueries,
    )


class EntrypointProvider(Provider):
    """Objects the HTTP app and the worker share within one process."""

    scope = Scope.APP
    wakeup = provide(WorkerWakeup)
    webhook_receiver = provide(WebhookReceiver)

    @provide
    def trusted_proxies(self, settings: Settings) -> TrustedProxies:
        return TrustedProxies(parse_networks(settings.trusted_proxies))

    @provide
    def group_commit(self, container: AsyncContainer, intake: PageIntake, settings: Settings) -> GroupCommit:
        return group_commit_on(container, intake, settings.webhook_page_size)


def production_providers(settings: Settings) -> list[Provider]:
    """Every provider of a process: the layers', and the one class per adapter choice that settings name."""
    chosen = [
        EMR_PROVIDERS[settings.emr], DEVICE_GATEWAY_PROVIDERS[settings.device_gateway],
        NOTIFIER_PROVIDERS[settings.notifier], KEY_STORE_PROVIDERS[settings.keystore],
    ]
    return [
        InfrastructureProvider(), *(provider() for provider in chosen), CredentialsProvider(),
        ApplicationProvider(), EntrypointProvider(), IntakeProvider(), RelayProvider(), LitestarProvider(),
        ActorProvider(),
    ]


def build_container(settings: Settings, *overrides: Provider) -> AsyncContainer:
    """The app's container; tests pass fake providers whose factories say override=True."""
    return make_async_container(*production_providers(settings), *overrides, context={Settings: settings})
