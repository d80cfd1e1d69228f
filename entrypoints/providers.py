"""One dishka provider per adapter choice for the device gateway, the notifier and the key store, and the
credentials built on the key store (webhook verification, our API tokens). `production_providers` in
entrypoints/container.py picks the classes by settings; no provider method looks at which was chosen."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

from dishka import Provider, Scope, provide

from adapters.auth.tokens import AccessTokenService
from adapters.aws_secrets.store import SecretsManagerKeyStore
from adapters.fakes.device_gateway import FakeDeviceGateway
from adapters.fakes.notifier import FakeNotifier
from adapters.fcm.push import FcmNotifier, build_fcm_app
from adapters.keys.file_store import FileKeyStore
from adapters.mioconnect.client import MioConnectGateway, gateway_client
from adapters.mioconnect.webhook import WebhookVerifier
from domain.ports import Clock, DeviceGateway, KeyStore, Notifier
from entrypoints.settings import Settings

# names of entries in the key store (not secrets themselves)
API_TOKEN_SECRET = "api-token-signing-key"  # noqa: S105
WEBHOOK_SECRET = "mioconnect-webhook-secret"  # noqa: S105


class FakeDeviceGatewayProvider(Provider):
    """No device cloud to pull from: batch sync finds nothing."""

    @provide(scope=Scope.APP)
    def device_gateway(self) -> DeviceGateway:
        return FakeDeviceGateway()


class MioConnectProvider(Provider):
    """MioConnect's REST API (MIOCONNECT_API_URL, MIOCONNECT_API_KEY)."""

    @provide(scope=Scope.APP)
    async def device_gateway(self, settings: Settings) -> AsyncIterator[DeviceGateway]:
        client = gateway_client(settings.mioconnect_api_url or "", settings.mioconnect_api_key or "")
        try:
            yield MioConnectGateway(client)
        finally:
            await client.aclose()


class FakeNotifierProvider(Provider):
    """Pushes are recorded in memory, never sent."""

    @provide(scope=Scope.APP)
    def notifier(self) -> Notifier:
        return FakeNotifier()


class FcmProvider(Provider):
    """Firebase Cloud Messaging (FCM_CREDENTIALS_FILE, FCM_PROJECT_ID)."""

    @provide(scope=Scope.APP)
    async def notifier(self, settings: Settings) -> AsyncIterator[Notifier]:
        fcm = FcmNotifier(build_fcm_app(settings.fcm_credentials_file or "", settings.fcm_project_id))
        try:
            yield fcm
        finally:
            await fcm.aclose()


class FileKeyStoreProvider(Provider):
    """Keys in a local JSON file (mode 0600), created on first run."""

    @provide(scope=Scope.APP)
    def key_store(self, settings: Settings) -> KeyStore:
        return FileKeyStore(Path(settings.key_file), settings.key_refresh_seconds)


class AwsKeyStoreProvider(Provider):
    """Keys in AWS Secrets Manager (boto3's usual credential chain)."""

    @provide(scope=Scope.APP)
    def key_store(self, settings: Settings) -> KeyStore:
        import boto3  # loaded only when configured

        client = boto3.client("secretsmanager", region_name=settings.aws_region,
                              endpoint_url=settings.aws_endpoint_url)
        return SecretsManagerKeyStore(client, settings.aws_secrets_prefix, settings.key_refresh_seconds)


class CredentialsProvider(Provider):
    """Webhook verification and our API tokens, from settings or the key store."""

    scope = Scope.APP

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
