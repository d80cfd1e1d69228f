"""The composition root: dishka providers per layer, choosing adapters from Settings."""

from __future__ import annotations

import base64
import re
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

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
from adapters.auth.tokens import AccessTokenService
from adapters.aws_secrets.store import SecretsManagerKeyStore
from adapters.ecw.config import build_ecw_gateway
from adapters.fakes.clock import SystemClock, SystemRandom, UuidGenerator
from adapters.fakes.device_gateway import FakeDeviceGateway
from adapters.fakes.emr import FakeEmrGateway
from adapters.fakes.notifier import FakeNotifier
from adapters.fakes.synthetic import synthetic_patients
from adapters.fcm.push import FcmNotifier, build_fcm_app
from adapters.fhir.client import FhirEmrGateway
from adapters.fhir.config import SmartServerConfig, build_gateway
from adapters.fhir.launch import LaunchClient, StandaloneLaunch, UserLaunch
from adapters.fhir.smart import TokenObserver
from adapters.keys.file_store import FileKeyStore
from adapters.mioconnect.client import MioConnectGateway, gateway_client
from adapters.mioconnect.webhook import WebhookVerifier
from adapters.sql.audit import SqlAuditLog
from adapters.sql.engine import create_engine
from adapters.sql.unit_of_work import SqlAlchemyUnitOfWork
from adapters.telemetry.metrics import OtelMetrics
from adapters.telemetry.otel import OtelTracer
from application.alerts import AlertWorkflow, PatientThresholds, RegisterPushToken
from application.assign_device import AssignDevice, UnassignDevice
from application.auditing import Auditor
from application.backlog import MeasureBacklog
from application.billing import BillingReport
from application.care import CareRecords
from application.context import EMR_TOKEN_CLIENT
from application.dashboard import ShowDashboard
from application.device_queries import DeviceQueries
from application.import_patients import BrowseEmrPatients, ImportPatients
from application.push_alerts import EscalateAlerts, PushAlertNotifications
from application.push_observations import PushPendingObservations
from application.push_withdrawals import PushWithdrawals
from application.queries import PatientQueries
from application.record_device_status import RecordDeviceStatus
from application.record_reading import RecordReading
from application.register_device import RegisterDevice
from application.reports import ReportVitals
from application.retry_sync import RetrySyncItem
from application.sync_device_readings import SyncDeviceReadings
from application.triage_reading import TriagePolicy, TriageReading
from application.users import Authenticate, CreateUser
from application.withdraw_reading import WithdrawReading
from domain.audit import AuditOutcome
from domain.ports import (
    AuditLog,
    Clock,
    DeviceGateway,
    EmrGateway,
    IdGenerator,
    KeyStore,
    Metrics,
    Notifier,
    PasswordHasher,
    RandomSource,
    Tracer,
    UnitOfWork,
)
from domain.sync import RetryPolicy
from entrypoints.http.hardening import LoginThrottle
from entrypoints.settings import Settings, ecw_config
from entrypoints.worker import WorkerWakeup

# names of entries in the key store (not secrets themselves)
API_TOKEN_SECRET = "api-token-signing-key"  # noqa: S105
WEBHOOK_SECRET = "mioconnect-webhook-secret"  # noqa: S105
ECW_CLIENT_SECRET = "ecw-client-secret"  # noqa: S105 - the key store's name for ECW_CLIENT_SECRET


class InfrastructureProvider(Provider):
    """Database, key store, clock and other process-wide resources."""

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
    def key_store(self, settings: Settings) -> KeyStore:
        if settings.keystore == "aws":
            import boto3  # loaded only when configured

            client = boto3.client("secretsmanager", region_name=settings.aws_region,
                                  endpoint_url=settings.aws_endpoint_url)
            return SecretsManagerKeyStore(client, settings.aws_secrets_prefix)
        return FileKeyStore(Path(settings.key_file))

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


class IntegrationsProvider(Provider):
    """The outside systems: EMR, device gateway, notifier (by configuration)."""

    scope = Scope.APP

    @provide
    async def emr(
        self, settings: Settings, keys: KeyStore, auditor: Auditor, tracer: Tracer
    ) -> AsyncIterator[EmrGateway]:
        if settings.emr == "fake":
            yield FakeEmrGateway(synthetic_patients(settings.synthetic_patients))
            return
        observer = token_auditor(auditor)
        if settings.emr == "ecw":
            gateway, closeable = build_ecw_gateway(ecw_config(settings), keys, token_observer=observer,
                                                  tracer=tracer)
            try:
                yield gateway
            finally:
                await closeable.aclose()
            return
        from entrypoints.sandbox.serve import serve_sandbox  # only the demo mode starts a sandbox
        from entrypoints.sandbox.state import SANDBOX_CLIENT_ID, SandboxState

        state = SandboxState.seeded(settings.synthetic_patients)
        with serve_sandbox(keys.public_jwks, state=state, port=settings.sandbox_port) as sandbox:
            gateway, closeable = build_gateway(SmartServerConfig(
                fhir_base_url=sandbox.fhir_base_url, client_id=SANDBOX_CLIENT_ID, token_url=sandbox.token_url), keys,
                token_observer=observer, tracer=tracer)
            try:
                yield gateway
            finally:
                await closeable.aclose()

    @provide
    async def device_gateway(self, settings: Settings) -> AsyncIterator[DeviceGateway]:
        if settings.device_gateway == "fake":
            yield FakeDeviceGateway()
            return
        client = gateway_client(settings.mioconnect_api_url or "", settings.mioconnect_api_key or "")
        try:
            yield MioConnectGateway(client)
        finally:
            await client.aclose()

    @provide
    async def notifier(self, settings: Settings) -> AsyncIterator[Notifier]:
        if settings.notifier == "fake":
            yield FakeNotifier()
            return
        fcm = FcmNotifier(build_fcm_app(settings.fcm_credentials_file or "", settings.fcm_project_id))
        try:
            yield fcm
        finally:
            await fcm.aclose()

    @provide
    async def user_launch(self, settings: Settings, emr: EmrGateway, keys: KeyStore) -> UserLaunch:
        """SMART standalone launches run against the configured SMART server (none with the fake EMR)."""
        if not isinstance(emr, FhirEmrGateway):
            return UserLaunch(None)
        if settings.emr == "ecw":
            smart = ecw_config(settings).smart_config()
            secret = settings.ecw_client_secret or await keys.stored_secret(ECW_CLIENT_SECRET) or ""
            client_id, token_url = smart.client_id, smart.token_url
        else:
            from entrypoints.sandbox.state import SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET
            client_id, secret, token_url = SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, None
        redirect = settings.ecw_redirect_uri or f"http://127.0.0.1:{settings.port}/api/v1/ecw/launch/callback"
        client = LaunchClient(emr.session.base_url, client_id, secret, redirect, token_url=token_url)
        return UserLaunch(StandaloneLaunch(emr.session.http, client))

    @provide
    async def webhook_verifier(self, settings: Settings, keys: KeyStore) -> WebhookVerifier:
        current = settings.webhook_secret or await webhook_secret_from(keys)
        return WebhookVerifier([current, settings.webhook_secret_previous or ""])

    @provide
    async def access_tokens(self, settings: Settings, keys: KeyStore, clock: Clock) -> AccessTokenService:
        secret = await keys.secret(API_TOKEN_SECRET)
        return AccessTokenService(secret, timedelta(seconds=settings.token_ttl_seconds), clock)


async def webhook_secret_from(keys: KeyStore) -> str:
    """The generated webhook secret, in Standard Webhooks' whsec_ form."""
    raw = await keys.secret(WEBHOOK_SECRET)
    return "whsec_" + base64.b64encode(raw.encode()).decode()


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
    use_cases = provide_all(
        RecordReading, RegisterDevice, AssignDevice, UnassignDevice, ImportPatients,
        BrowseEmrPatients, PushPendingObservations, PatientQueries, CreateUser, Authenticate,
        SyncDeviceReadings, RecordDeviceStatus, DeviceQueries, AlertWorkflow, PatientThresholds,
        RegisterPushToken, PushAlertNotifications, EscalateAlerts, ShowDashboard, ReportVitals,
        CareRecords, BillingReport, RetrySyncItem, MeasureBacklog, WithdrawReading, PushWithdrawals,
    )


def token_auditor(auditor: Auditor) -> TokenObserver:
    """Every EMR token request on the audit trail: outcome, HTTP status and OAuth error code only."""

    async def observe(succeeded: bool, http_status: int | None, error: str | None) -> None:
        code = re.sub(r"[^a-z0-9_]", "", (error or "").lower())[:40]
        await auditor.record(EMR_TOKEN_CLIENT, "emr.token", "AccessToken", (),
                             AuditOutcome.SUCCESS if succeeded else AuditOutcome.FAILURE,
                             http_status=str(http_status or ""), error=code)

    return observe


class EntrypointProvider(Provider):
    """Objects the HTTP app and the worker share within one process."""

    scope = Scope.APP
    wakeup = provide(WorkerWakeup)

    @provide
    def throttle(self, clock: Clock) -> LoginThrottle:
        return LoginThrottle(clock)


def production_providers() -> list[Provider]:
    return [
        InfrastructureProvider(), IntegrationsProvider(), ApplicationProvider(),
        EntrypointProvider(), LitestarProvider(),
    ]


def build_container(settings: Settings, *overrides: Provider) -> AsyncContainer:
    """The app's container; tests pass fake providers whose factories say override=True."""
    return make_async_container(*production_providers(), *overrides, context={Settings: settings})
