"""One dishka provider per EMR choice (VANTREXIA_EMR): each provides the EmrDirectory (each practice's EMR),
the `default` practice's EmrGateway and set-up checks (EmrDiagnostics), and the SMART user launch
(UserLaunch); `production_providers` picks one by settings."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

from dishka import AsyncContainer, Provider, Scope, alias, provide

from adapters.ecw.config import build_ecw_gateway
from adapters.ecw.profile import ecw_connection
from adapters.fakes.emr import FakeEmrGateway
from adapters.fakes.emr_directory import FakeEmrDirectory
from adapters.fakes.emr_setup import InMemoryEmrDiagnostics, NoUserLaunch
from adapters.fakes.synthetic import synthetic_patients
from adapters.fhir.client import FhirEmrGateway
from adapters.fhir.config import SmartServerConfig, build_gateway
from adapters.fhir.diagnostics import FhirEmrDiagnostics
from adapters.fhir.directory import SmartEmrDirectory, settings_connection
from adapters.fhir.launch import LaunchClient, StandaloneLaunch
from adapters.fhir.launches import PracticeLaunches
from application.auditing import Auditor
from domain.emr_connections import EmrConnection, EmrVendor
from domain.ports import Clock, EmrDiagnostics, EmrDirectory, EmrGateway, KeyStore, RandomSource, Tracer, UserLaunch
from entrypoints.emr_wiring import gateway_factory, launches_at, seconds_of, stored_connections, token_auditor
from entrypoints.settings import Settings, ecw_config

ECW_CLIENT_SECRET = "ecw-client-secret"  # noqa: S105 - the key store's name for ECW_CLIENT_SECRET


class FakeEmrProvider(Provider):
    """The in-memory EMR with synthetic patients; its checks and launches say that is what runs."""

    scope = Scope.APP

    @provide
    def emr(self, settings: Settings) -> EmrGateway:
        return FakeEmrGateway(synthetic_patients(settings.synthetic_patients))

    diagnostics = provide(InMemoryEmrDiagnostics, provides=EmrDiagnostics)
    user_launch = provide(NoUserLaunch, provides=UserLaunch)

    @provide
    def directory(self, emr: EmrGateway, container: AsyncContainer) -> EmrDirectory:
        return FakeEmrDirectory(emr, stored_connections(container))


@dataclass(frozen=True)
class DefaultConnection:
    """The `default` practice's connection made of settings (ECW_*, or the demo's sandbox)."""

    connection: EmrConnection


class _SmartEmrProvider(Provider):
    """What every SMART/FHIR server gives, once a subclass provides the settings' FhirEmrGateway, its
    DefaultConnection and LaunchClient: the directory adds every stored connection to that one."""

    scope = Scope.APP
    emr = alias(source=FhirEmrGateway, provides=EmrGateway)
    emr_directory = alias(source=SmartEmrDirectory, provides=EmrDirectory)

    @provide
    def diagnostics(self, gateway: FhirEmrGateway) -> EmrDiagnostics:
        return FhirEmrDiagnostics(gateway)

    @provide
    def user_launch(self, settings: Settings, gateway: FhirEmrGateway, client: LaunchClient,
                    directory: SmartEmrDirectory, keys: KeyStore) -> UserLaunch:
        settings_launch = StandaloneLaunch(gateway.session.http, client)
        return PracticeLaunches(launches_at(directory, settings_launch, keys, redirect_uri(settings)))

    @provide
    async def directory(
        self, settings: Settings, gateway: FhirEmrGateway, default: DefaultConnection, container: AsyncContainer,
        keys: KeyStore, auditor: Auditor, tracer: Tracer, clock: Clock, random: RandomSource,
    ) -> AsyncIterator[SmartEmrDirectory]:
        directory = SmartEmrDirectory(
            stored_connections(container), gateway_factory(keys, auditor, tracer), clock=seconds_of(clock),
            random=random.random, refresh_seconds=settings.emr_connections_refresh_seconds,
            from_settings=(default.connection, gateway),
        )
        try:
            yield directory
        finally:
            await directory.aclose()


class SandboxEmrProvider(_SmartEmrProvider):
    """The demo mode: a local SMART/FHIR sandbox started with the container, stopped when it closes."""

    @provide
    async def gateway(
        self, settings: Settings, keys: KeyStore, auditor: Auditor, tracer: Tracer
    ) -> AsyncIterator[FhirEmrGateway]:
        from entrypoints.sandbox.serve import serve_sandbox  # only the demo mode loads the sandbox
        from entrypoints.sandbox.state import SANDBOX_CLIENT_ID, SandboxState

        state = SandboxState.seeded(settings.synthetic_patients)
        with serve_sandbox(keys.public_jwks, state=state, port=settings.sandbox_port) as sandbox:
            config = SmartServerConfig(fhir_base_url=sandbox.fhir_base_url, client_id=SANDBOX_CLIENT_ID,
                                       token_url=sandbox.token_url)
            gateway, closeable = build_gateway(config, keys, token_observer=token_auditor(auditor), tracer=tracer)
            try:
                yield gateway
            finally:
                await closeable.aclose()

    @provide
    async def default_connection(self, gateway: FhirEmrGateway) -> DefaultConnection:
        from entrypoints.sandbox.state import SANDBOX_CLIENT_ID

        token_url = await gateway.session.tokens.token_endpoint()  # configured: no request is made
        return DefaultConnection(settings_connection(EmrVendor.SMART, gateway.session.base_url, SANDBOX_CLIENT_ID,
                                                     token_url=token_url))

    @provide
    def launch_client(self, settings: Settings, gateway: FhirEmrGateway) -> LaunchClient:
        from entrypoints.sandbox.state import SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET

        return LaunchClient(gateway.session.base_url, SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET,
                            redirect_uri(settings))


class EcwEmrProvider(_SmartEmrProvider):
    """eClinicalWorks from the ECW_* settings (SMART Backend Services; user launches with the client secret)."""

    @provide
    async def gateway(
        self, settings: Settings, keys: KeyStore, auditor: Auditor, tracer: Tracer
    ) -> AsyncIterator[FhirEmrGateway]:
        gateway, closeable = build_ecw_gateway(ecw_config(settings), keys, token_observer=token_auditor(auditor),
                                               tracer=tracer)
        try:
            yield gateway
        finally:
            await closeable.aclose()

    @provide
    def default_connection(self, settings: Settings) -> DefaultConnection:
        return DefaultConnection(ecw_connection(ecw_config(settings)))

    @provide
    async def launch_client(self, settings: Settings, keys: KeyStore) -> LaunchClient:
        smart = ecw_config(settings).smart_config()
        secret = settings.ecw_client_secret or await keys.stored_secret(ECW_CLIENT_SECRET) or ""
        return LaunchClient(smart.fhir_base_url, smart.client_id, secret, redirect_uri(settings),
                            authorize_url=smart.authorize_url, token_url=smart.token_url)


def redirect_uri(settings: Settings) -> str:
    """Where the EMR sends a user back after a launch (ECW_REDIRECT_URI, else this server's callback)."""
    return settings.ecw_redirect_uri or f"http://127.0.0.1:{settings.port}/api/v1/ecw/launch/callback"
