"""The telemetry webhook over HTTP: signatures, dedupe, nothing lost, clear errors."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from domain.deliveries import DeliveryStatus
from domain.readings import ReadingStatus
from tests.support.api import enrol_patient
from tests.support.app import TELEMETRY, build_app, deliver, fixture, settings_for_tests, signed
from tests.support.world import World

Client = AsyncTestClient[Litestar]


async def test_accepted_reading_is_stored_with_its_outbox_rows(client: Client, auth: dict[str, str],
                                                                world: World) -> None:
    await enrol_patient(client, auth)
    response = await deliver(client, fixture("bp_normal"))
    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "accepted"
    reading = world.store.committed.readings[body["reading_id"]]
    assert reading.status is ReadingStatus.ACCEPTED
    codes = sorted(i.code or "" for i in world.store.committed.outbox.values() if i.reading_id == reading.id)
    assert codes == ["85354-9", "8867-4"]
    assert world.store.committed.deliveries[body["delivery_id"]].status is DeliveryStatus.ACCEPTED


async def test_same_webhook_id_is_a_duplicate_and_stored_once(client: Client, auth: dict[str, str],
                                                              world: World) -> None:
    await enrol_patient(client, auth)
    first = await deliver(client, fixture("bp_normal"), webhook_id="msg_same")
    again = await deliver(client, fixture("bp_normal"), webhook_id="msg_same")
    assert first.json()["status"] == "accepted"
    assert again.status_code == 202
    assert again.json()["status"] == "duplicate"
    assert len(world.store.committed.readings) == 1
    assert len(world.store.committed.deliveries) == 1


async def test_same_reading_under_a_new_webhook_id_is_a_duplicate(client: Client, auth: dict[str, str],
                                                                  world: World) -> None:
    await enrol_patient(client, auth)
    await deliver(client, fixture("bp_normal"))
    again = await deliver(client, fixture("bp_normal"))
    assert again.json()["status"] == "duplicate"
    assert len(world.store.committed.readings) == 1
    assert len(world.store.committed.deliveries) == 2  # both deliveries kept, one reading


def _tamper(headers: dict[str, str], **changes: str | None) -> dict[str, str]:
    result = dict(headers)
    for name, value in changes.items():
        key = name.replace("_", "-")
        if value is None:
            result.pop(key)
        else:
            result[key] = value
    return result


@pytest.mark.parametrize(
    "changes",
    [
        {"webhook_signature": None},
        {"webhook_id": None},
        {"webhook_timestamp": None},
        {"webhook_signature": "v1,%%%not-base64%%%"},
        {"webhook_signature": "garbage"},
        {"webhook_signature": "v1," + base64.b64encode(b"x" * 32).decode()},
        {"webhook_timestamp": "not-a-number"},
        {"webhook_timestamp": str(int((datetime.now(UTC) - timedelta(minutes=6)).timestamp()))},
    ],
    ids=["no-signature", "no-id", "no-timestamp", "bad-base64", "no-version", "wrong-mac", "bad-ts", "stale"],
)
async def test_bad_signature_headers_are_401_and_nothing_is_stored(
    client: Client, world: World, changes: dict[str, str | None]
) -> None:
    raw, headers = signed(fixture("bp_normal"))
    response = await client.post(TELEMETRY, content=raw, headers=_tamper(headers, **changes))
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    assert not world.store.committed.deliveries
    assert world.audit.entries[-1].action == "webhook.rejected"


async def test_signature_with_another_secret_is_rejected(client: Client, world: World) -> None:
    other = "whsec_" + base64.b64encode(b"someone-else-entirely-32-bytes!!").decode()
    raw, headers = signed(fixture("bp_normal"), secret=other)
    response = await client.post(TELEMETRY, content=raw, headers=headers)
    assert response.status_code == 401
    assert not world.store.committed.deliveries


async def test_malformed_body_is_422_and_kept_as_rejected(client: Client, world: World) -> None:
    raw, headers = signed(b'{"deviceId": 12, "data": "nope"')
    response = await client.post(TELEMETRY, content=raw, headers=headers)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    (kept,) = world.store.committed.deliveries.values()
    assert kept.status is DeliveryStatus.REJECTED
    assert kept.body == raw


async def test_wrong_content_type_and_oversized_bodies_are_refused(client: Client, world: World) -> None:
    raw, headers = signed(fixture("bp_normal"))
    wrong_type = await client.post(TELEMETRY, content=raw, headers={**headers, "content-type": "text/plain"})
    assert wrong_type.status_code == 415
    big, big_headers = signed(b"{" + b" " * 70_000 + b"}")
    too_big = await client.post(TELEMETRY, content=big, headers=big_headers)
    assert too_big.status_code == 413
    assert not world.store.committed.deliveries


async def test_reading_from_an_unknown_device_is_quarantined(client: Client, world: World) -> None:
    response = await deliver(client, fixture("bp_normal"))
    assert response.status_code == 202
    assert response.json()["status"] == "quarantined"
    assert not world.store.committed.outbox


async def test_control_solution_is_discarded_with_its_reason(client: Client, auth: dict[str, str],
                                                             world: World) -> None:
    await enrol_patient(client, auth, gateway_id="860013045670003", model="TMB-2093-G")
    response = await deliver(client, fixture("glucose_control_solution"))
    assert response.json()["status"] == "discarded"
    assert "control solution" in response.json()["reason"]
    assert not world.store.committed.outbox


async def test_the_previous_secret_still_works_during_rotation(world: World) -> None:
    previous = "whsec_" + base64.b64encode(b"the-secret-before-the-rotation!!").decode()
    app = build_app(world, settings_for_tests(webhook_secret_previous=previous))
    async with AsyncTestClient(app=app) as client:
        raw, headers = signed(fixture("bp_normal"), secret=previous)
        assert (await client.post(TELEMETRY, content=raw, headers=headers)).status_code == 202
        raw, headers = signed(fixture("scale"))
        assert (await client.post(TELEMETRY, content=raw, headers=headers)).status_code == 202


async def test_status_reports_update_the_device_and_add_no_reading(client: Client, auth: dict[str, str],
                                                                   world: World) -> None:
    ids = await enrol_patient(client, auth)
    raw, headers = signed(fixture("status_bp", bat=41, sig=9))
    answer = await client.post("/api/v1/webhooks/mioconnect/status", content=raw, headers=headers)
    assert answer.status_code == 202
    assert answer.json()["status"] == "status_updated"
    device = (await client.get(f"/api/v1/devices/{ids.device_id}", headers=auth)).json()
    assert (device["battery_percent"], device["signal_bars"], device["firmware"]) == (41, 9, "2.1.7")
    assert [a["patient_id"] for a in device["assignments"]] == [ids.patient_id]
    assert not world.store.committed.readings
    bad, bad_headers = signed(fixture("bp_normal"))
    not_a_status = await client.post("/api/v1/webhooks/mioconnect/status", content=bad, headers=bad_headers)
    assert not_a_status.status_code == 422
