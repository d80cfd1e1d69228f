"""The FCM adapter through firebase-admin's real code path, against a local stand-in of FCM."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from adapters.fcm.push import FcmNotifier, build_fcm_app
from domain.ports import Notifier
from domain.ports.notifier import PushMessage
from entrypoints.container import build_container
from tests.support.app import settings_for_tests
from tests.support.fcm_standin import FcmState, fcm_standin, service_account_file
from tests.support.live import live_server

CRITICAL = PushMessage("alert-1", "bp_crisis", "critical", "review_alert")
WARNING = PushMessage("alert-2", "bp_stage2", "warning", "review_alert")
PHI = ("Quintessa", "Vanderhoek", "MRN-7731955", "860013045678901", "186/124")


@pytest.fixture
def state() -> FcmState:
    return FcmState()


@pytest.fixture
async def notifier(state: FcmState, tmp_path: Path) -> AsyncIterator[FcmNotifier]:
    with live_server(fcm_standin(state)) as url:
        app = build_fcm_app(str(service_account_file(tmp_path, f"{url}/token")), "vantrexia-test", endpoint=url)
        fcm = FcmNotifier(app)
        try:
            yield fcm
        finally:
            await fcm.aclose()


async def test_a_critical_alert_goes_out_high_priority_uncollapsed_and_without_phi(
    notifier: FcmNotifier, state: FcmState
) -> None:
    (result,) = await notifier.send(CRITICAL, {"t1": "device-token-1"})
    assert result.delivered
    (body,) = state.sent
    message = body["message"]
    assert message["data"] == {"alert_id": "alert-1", "alert_type": "bp_crisis", "severity": "critical",
                               "action_code": "review_alert"}
    assert message["notification"] == {"title": "New patient alert", "body": "Open Vantrexia to review"}
    assert message["android"]["priority"] == "high"
    assert "collapse_key" not in message["android"]
    assert message["apns"]["headers"]["apns-priority"] == "10"
    assert "apns-collapse-id" not in message["apns"]["headers"]
    assert not any(phi in str(body) for phi in PHI)
    assert state.token_requests == 1


async def test_a_warning_may_collapse_per_alert_type(notifier: FcmNotifier, state: FcmState) -> None:
    await notifier.send(WARNING, {"t1": "device-token-1"})
    android = state.sent[0]["message"]["android"]
    assert (android["priority"], android["collapse_key"]) == ("normal", "vantrexia-bp_stage2")


async def test_each_token_gets_its_own_result(notifier: FcmNotifier, state: FcmState) -> None:
    state.failures = {"gone": ["UNREGISTERED"], "bad": ["INVALID_TOKEN"], "payload": ["INVALID_ARGUMENT"],
                      "busy": ["QUOTA_EXCEEDED"]}
    results = {r.token_id: r for r in await notifier.send(
        CRITICAL, {"ok": "fine", "gone": "gone", "bad": "bad", "payload": "payload", "busy": "busy"})}
    assert results["ok"].delivered
    assert results["gone"].token_invalid
    assert results["bad"].token_invalid  # INVALID_ARGUMENT naming the token
    assert not results["payload"].token_invalid  # INVALID_ARGUMENT about something else
    assert not results["payload"].retryable
    assert results["busy"].retryable
    assert not results["busy"].token_invalid
    assert all("busy" not in (r.error or "") and "gone" not in (r.error or "") for r in results.values())


async def test_unavailable_is_retried_by_the_client_then_delivered(notifier: FcmNotifier, state: FcmState) -> None:
    state.failures = {"flaky": ["UNAVAILABLE", "UNAVAILABLE"]}
    (result,) = await notifier.send(CRITICAL, {"t": "flaky"})
    assert result.delivered
    assert state.attempts["flaky"] == 3


async def test_the_container_wires_fcm_from_settings(tmp_path: Path) -> None:
    settings = settings_for_tests(notifier="fcm", fcm_credentials_file=str(service_account_file(tmp_path, "x")))
    container = build_container(settings)
    try:
        assert isinstance(await container.get(Notifier), FcmNotifier)
    finally:
        await container.close()
