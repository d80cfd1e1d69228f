"""The webhook's body as the server hands it over: in several ASGI messages, or cut off by the client."""

from __future__ import annotations

from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient

from domain.deliveries import DeliveryStatus
from tests.support.api import enrol_patient
from tests.support.app import TELEMETRY, fixture, in_app, signed
from tests.support.world import World

Client = AsyncTestClient[Litestar]


async def _post(client: Client, headers: dict[str, str], messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What the app sends back for a POST whose body arrives as `messages` (raw ASGI, no content-length)."""
    scope = {
        "type": "http", "asgi": {"version": "3.0", "spec_version": "2.3"}, "http_version": "1.1", "method": "POST",
        "scheme": "http", "path": TELEMETRY, "raw_path": TELEMETRY.encode(), "query_string": b"", "root_path": "",
        "headers": [(name.lower().encode(), value.encode()) for name, value in headers.items()],
        "client": ("127.0.0.1", 50000), "server": ("testserver", 80), "state": {},
    }
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return messages.pop(0)

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    async def call() -> None:
        await client.app(scope, receive, send)

    await in_app(client, call)
    return sent


async def test_a_body_sent_in_several_messages_is_taken_in_whole(client: Client, auth: dict[str, str],
                                                                 world: World) -> None:
    await enrol_patient(client, auth)
    raw, headers = signed(fixture("bp_normal"))
    cut = len(raw) // 2
    sent = await _post(client, headers, [
        {"type": "http.request", "body": raw[:cut], "more_body": True},
        {"type": "http.request", "body": b"", "more_body": True},
        {"type": "http.request", "body": raw[cut:], "more_body": False},
    ])
    assert sent[0]["status"] == 202
    (kept,) = world.store.committed.deliveries.values()
    assert kept.body == raw
    assert kept.status is DeliveryStatus.ACCEPTED


async def test_a_client_that_goes_away_mid_body_gets_500_and_nothing_is_kept(client: Client, world: World) -> None:
    raw, headers = signed(fixture("bp_normal"))
    sent = await _post(client, headers, [
        {"type": "http.request", "body": raw[:10], "more_body": True}, {"type": "http.disconnect"},
    ])
    assert sent[0]["status"] == 500
    assert not world.store.committed.deliveries


async def test_a_body_beyond_the_limit_in_several_messages_is_413(client: Client, world: World) -> None:
    raw, headers = signed(b"{" + b" " * 70_000 + b"}")
    sent = await _post(client, headers, [
        {"type": "http.request", "body": raw[:40_000], "more_body": True},
        {"type": "http.request", "body": raw[40_000:], "more_body": False},
    ])
    assert sent[0]["status"] == 413
    assert not world.store.committed.deliveries


async def test_an_unreadable_content_length_is_400_as_for_any_route(client: Client, world: World) -> None:
    raw, headers = signed(fixture("bp_normal"))
    sent = await _post(client, {**headers, "content-length": "12x"},
                       [{"type": "http.request", "body": raw, "more_body": False}])
    assert sent[0]["status"] == 400
    assert b"Invalid content-length" in sent[1]["body"]
    assert not world.store.committed.deliveries
