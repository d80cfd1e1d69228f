"""The outside systems chosen by configuration: EMR (fake, sandbox, eCW), device gateway, notifier,
SMART user launch, webhook verification and our API token key."""

from __future__ import annotations

import base64
import re
from collections.abc import AsyncIterator
from datetime import timedelta

from dishka import Provider, Scope, provide

from adapters.auth.tokens import AccessTokenService
from adapters.ecw.config import build_ecw_gateway
from adapters.fakes.device_gateway import FakeDeviceGateway
from adapters.fakes.emr import FakeEmrGateway
from adapters.fakes.notifier import FakeNotifier
from adapters.fakes.synthetic import synthetic_patients
from adapters.fcm.push import FcmNotifier, build_fcm_app
from adapters.fhir.client import FhirEmrGateway
from adapters.fhir.config import SmartServerConfig, build_gateway
from adapters.fhir.launch import LaunchClient, StandaloneLaunch, UserLaunch
from adapters.fhir.smart import TokenObserver
from adapters.mioconnect.client import MioConnectGateway, gateway_client
from adapters.mioconnect.webhook import WebhookVerifier
from application.auditing import Auditor
from application.context import EMR_TOKEN_CLIENT
from domain.audit import AuditOutcome
from domain.ports import Clock, DeviceGateway, EmrGateway, KeyStore, Notifier, Tracer
from entrypoints.settings import Settings, ecw_config

# names of entries in the key store (not secrets themselves)
API_TOKEN_SECRET = "api-token-signing-key"  # noqa: S105
WEBHOOK_SECRET = "mioconnect-webhook-secret"  # noqa: S105
ECW_CLIENT_SECRET = "ecw-client-secret"  # noqa: S105 - the key store's name for ECW_CLIENT_SECRET


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


def token_auditor(auditor: Auditor) -> TokenObserver:
    """Every EMR token request on the audit trail: outcome, HTTP status and OAuth error code only."""

    async def observe(succeeded: bool, http_status: int | None, error: str | None) -> None:
        code = re.sub(r"[^a-z0-9_]", "", (error or "").lower())[:40]
        await auditor.record(EMR_TOKEN_CLIENT, "emr.token", "AccessToken", (),
                             AuditOutcome.SUCCESS if succeeded else AuditOutcome.FAILURE,
                             http_status=str(http_status or ""), error=code)

    return observe
