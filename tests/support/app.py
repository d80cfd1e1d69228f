"""The real app, wired to a World, its outbox worker, and the device cloud's signed deliveries to it (the API calls
a test makes are in tests/support/api.py)."""

from __future__ import annotations

import asyncio
import base64
import json
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import httpx
import msgspec
from dishka import AsyncContainer
from litestar import Litestar
from litestar.testing import AsyncTestClient

from adapters.mioconnect.webhook import WebhookSigner
from entrypoints.container import build_container
from entrypoints.http.app import create_app
from entrypoints.settings import Settings
from entrypoints.worker import OutboxWorker
from tests.support.world import FakesProvider, World

T = TypeVar("T")
WEBHOOK_SECRET = "whsec_" + base64.b64encode(b"vantrexia-test-webhook-secret-32b").decode()
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "mioconnect"
TELEMETRY = "/api/v1/webhooks/mioconnect/telemetry"


def settings_for_tests(**overrides: Any) -> Settings:
    base = Settings(webhook_secret=WEBHOOK_SECRET, worker="off", database_url="sqlite+aiosqlite:///unused")
    return msgspec.structs.replace(base, **overrides) if overrides else base


def build_app(world: World, settings: Settings | None = None, *, fake_database: bool = True,
              fake_emr: bool = True) -> Litestar:
    settings = settings or settings_for_tests()
    fakes = FakesProvider(world, fake_database=fake_database, fake_emr=fake_emr)
    return create_app(build_container(settings, fakes), settings)


def container_of(app: Litestar) -> AsyncContainer:
    container: AsyncContainer = app.state.dishka_container
    return container


async def in_app(client: AsyncTestClient[Litestar], work: Callable[[], Awaitable[T]]) -> T:
    """Run `work` on the app's own event loop (the test client serves the app from a portal thread)."""
    return await asyncio.to_thread(client.blocking_portal.call, work)


async def drain_outbox(client: AsyncTestClient[Litestar]) -> int:
    """Run the outbox worker until nothing is due; returns how many pushes were attempted."""
    worker = OutboxWorker(container_of(client.app), batch_size=50, poll_seconds=0)
    return await in_app(client, worker.drain)


def fixture(name: str, **data_overrides: Any) -> dict[str, Any]:
    """A device-cloud sample from tests/fixtures/mioconnect, with `data` fields overridden."""
    body: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text())
    section = "data" if "data" in body else "status"
    body[section] = {**body[section], **data_overrides}
    return body


def signed(body: dict[str, Any] | bytes, webhook_id: str | None = None, secret: str = WEBHOOK_SECRET,
           at: datetime | None = None) -> tuple[bytes, dict[str, str]]:
    """Body bytes and Standard Webhooks headers signed now (or `at`)."""
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers = WebhookSigner(secret).headers(webhook_id or f"msg_{uuid.uuid4().hex}", raw, at or datetime.now(UTC))
    return raw, {**headers, "content-type": "application/json"}


async def deliver(client: httpx.AsyncClient, body: dict[str, Any] | bytes,
                  webhook_id: str | None = None) -> Any:
    raw, headers = signed(body, webhook_id)
    return await client.post(TELEMETRY, content=raw, headers=headers)
