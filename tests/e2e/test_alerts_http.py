"""Alerts over HTTP: triage on arrival, PHI-free pushes, acknowledge/resolve, thresholds, escalation."""

from __future__ import annotations

from datetime import timedelta

from litestar import Litestar
from litestar.testing import AsyncTestClient

from domain.users import Role
from tests.e2e.test_sql_backed_api import expect_dashboard
from tests.support.api import enrol_patient, login
from tests.support.app import deliver, drain_outbox, fixture
from tests.support.phi import leaks
from tests.support.world import World

Client = AsyncTestClient[Litestar]
PHONE = "fcm-token-of-dr-adas-phone-0123456789"


async def test_a_crisis_reading_raises_a_critical_alert_pushed_without_phi(
    client: Client, auth: dict[str, str], world: World
) -> None:
    ids = await enrol_patient(client, auth)
    assert (await client.post("/api/v1/notifications/tokens/", json={"token": PHONE}, headers=auth)).status_code == 201
    await deliver(client, fixture("bp_crisis"))
    await drain_outbox(client)
    (alert,) = (await client.get("/api/v1/alerts/?status=open", headers=auth)).json()["items"]
    assert (alert["rule"], alert["severity"], alert["patient_id"]) == ("bp_crisis", "critical", ids.patient_id)
    (push,) = world.notifier.sent
    assert push.token == PHONE
    assert vars(push.message) == {"alert_id": alert["id"], "alert_type": "bp_crisis", "severity": "critical",
                                  "action_code": "review_alert"}
    patient = world.store.committed.patients[ids.patient_id]
    assert leaks(repr(push.message), (patient.name, patient.mrn or "", "860013045678901"), ("186", "124")) == []


async def test_acknowledge_then_resolve_records_who_and_when(client: Client, auth: dict[str, str]) -> None:
    await enrol_patient(client, auth)
    await deliver(client, fixture("bp_crisis"))
    (alert,) = (await client.get("/api/v1/alerts/", headers=auth)).json()["items"]
    acked = (await client.post(f"/api/v1/alerts/{alert['id']}/acknowledge/", headers=auth)).json()
    assert acked["status"] == "acknowledged"
    assert acked["acknowledged_by"]
    assert acked["acknowledged_at"]
    again = await client.post(f"/api/v1/alerts/{alert['id']}/acknowledge/", headers=auth)
    assert again.status_code == 409
    resolved = await client.post(f"/api/v1/alerts/{alert['id']}/resolve/", json={"note": "Called patient; meds taken"},
                                 headers=auth)
    assert (resolved.json()["status"], resolved.json()["resolution_note"]) == ("resolved", "Called patient; meds taken")
    assert (await client.post("/api/v1/alerts/nope/resolve/", json={"note": "x"}, headers=auth)).status_code == 404


async def test_no_second_open_alert_for_the_same_rule_within_the_window(client: Client, auth: dict[str, str],
                                                                        world: World) -> None:
    await enrol_patient(client, auth)
    await deliver(client, fixture("bp_crisis"))
    await deliver(client, fixture("bp_crisis", ts=1795186840 + 600, sys=190))
    assert len(world.store.committed.readings) == 2
    assert (await client.get("/api/v1/alerts/", headers=auth)).json()["total"] == 1


async def test_alerts_list_critical_first_then_oldest(client: Client, auth: dict[str, str]) -> None:
    await enrol_patient(client, auth)
    await deliver(client, fixture("bp_normal", sys=150, dia=85))  # stage 2 warning, earlier
    await deliver(client, fixture("bp_crisis"))
    listed = (await client.get("/api/v1/alerts/", headers=auth)).json()["items"]
    assert [a["severity"] for a in listed] == ["critical", "warning"]
    warnings = (await client.get("/api/v1/alerts/?severity=warning", headers=auth)).json()
    assert warnings["total"] == 1


async def test_thresholds_can_be_overridden_per_patient(client: Client, auth: dict[str, str]) -> None:
    ids = await enrol_patient(client, auth)
    path = f"/api/v1/patients/{ids.patient_id}/thresholds/"
    assert (await client.get(path, headers=auth)).json()["thresholds"]["systolic_crisis_above"] == 180
    changed = await client.put(path, json={"thresholds": {"systolic_crisis_above": 190}}, headers=auth)
    assert changed.json()["thresholds"]["systolic_crisis_above"] == 190
    await deliver(client, fixture("bp_crisis", dia=100))  # 186/100: stage 2 only with the override
    (alert,) = (await client.get("/api/v1/alerts/", headers=auth)).json()["items"]
    assert alert["rule"] == "bp_stage2"
    bad = await client.put(path, json={"thresholds": {"no_such_limit": 1}}, headers=auth)
    assert bad.status_code == 400


async def test_unacknowledged_critical_alerts_escalate_then_reach_admins(
    client: Client, auth: dict[str, str], world: World
) -> None:
    await enrol_patient(client, auth)
    await client.post("/api/v1/notifications/tokens/", json={"token": PHONE}, headers=auth)
    await deliver(client, fixture("bp_crisis"))
    await drain_outbox(client)
    world.clock.advance(timedelta(minutes=16))
    await drain_outbox(client)
    assert len(world.notifier.sent) == 2  # pushed again to the clinicians
    world.clock.advance(timedelta(minutes=16))
    await drain_outbox(client)
    admin = await login(client, world, Role.ADMIN)  # the first login has expired by now
    (alert,) = (await client.get("/api/v1/alerts/", headers=admin)).json()["items"]
    assert alert["escalation_level"] == 2
    assert alert["no_push_target"] is True  # no administrator has registered a phone


async def test_a_token_the_push_service_rejects_is_deactivated(client: Client, auth: dict[str, str],
                                                               world: World) -> None:
    await enrol_patient(client, auth)
    await client.post("/api/v1/notifications/tokens/", json={"token": PHONE}, headers=auth)
    world.notifier.invalid_tokens.add(PHONE)
    await deliver(client, fixture("bp_crisis"))
    await drain_outbox(client)
    (token,) = world.store.committed.push_tokens.values()
    assert token.active is False


async def test_dashboard_counts_on_the_fakes(client: Client, auth: dict[str, str], world: World) -> None:
    await enrol_patient(client, auth)
    await deliver(client, fixture("bp_normal"))
    await drain_outbox(client)
    await expect_dashboard(client, auth)
    world.clock.advance(timedelta(days=4))
    board = (await client.get("/api/v1/dashboard/", headers=await login(client, world))).json()
    assert (board["patients_without_reading_3_days"], board["readings_today"]) == (1, 0)
