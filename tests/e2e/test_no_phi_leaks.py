"""PHI minimisation: a full pipeline run leaves no patient data in logs, audit entries, pushes or errors."""

from __future__ import annotations

import logging

import pytest
import structlog
from litestar.testing import AsyncTestClient

from domain.patients import EmrPatient
from tests.support.api import assign_device, import_patient, login, register_device, register_device_answer
from tests.support.app import build_app, deliver, drain_outbox, fixture, signed
from tests.support.phi import leaks
from tests.support.world import World

PATIENT = EmrPatient("emr-phi-probe", "Quintessa Vanderhoek", None, "MRN-7731955", "555-0199-314",
                     "42 Zebrawood Lane, Shelbyville")
DEVICE_IDS = ("860013045678901", "89011703278123456789", "2092G0012345")
VALUES = ("173", "107", "93")  # a crisis reading's systolic, diastolic and pulse


def _leaks(text: str) -> list[str]:
    words = [PATIENT.name, *PATIENT.name.split(), PATIENT.mrn or "", PATIENT.phone or "", PATIENT.address or "",
             *DEVICE_IDS]
    return leaks(text, words, VALUES)


async def test_a_full_pipeline_run_leaks_no_phi(caplog: pytest.LogCaptureFixture) -> None:
    world = World()
    world.emr.patients[PATIENT.emr_patient_id] = PATIENT
    caplog.set_level(logging.DEBUG)
    structlog.reset_defaults()  # an earlier CLI test may have configured a WARNING-level filter
    with structlog.testing.capture_logs() as events:
        async with AsyncTestClient(app=build_app(world)) as client:
            auth = await login(client, world)
            patient_id = await import_patient(client, auth, PATIENT.emr_patient_id)
            await client.post("/api/v1/notifications/tokens/", json={"token": "phone-token-" + "x" * 20},
                              headers=auth)
            await deliver(client, fixture("bp_normal", sys=173, dia=107, pul=93))  # unknown device: quarantined
            device_id = await register_device(client, auth, DEVICE_IDS[0])
            await assign_device(client, auth, device_id, patient_id)
            for name in ("scale", "pulseox_sentinel", "glucose_control_solution"):
                await deliver(client, fixture(name))
            raw, headers = signed(b'{"deviceId": "860013045678901", "data": {"sys": "oops"}}')
            rejected = await client.post("/api/v1/webhooks/mioconnect/telemetry", content=raw, headers=headers)
            await drain_outbox(client)
            errors = [rejected,
                      await client.get(f"/api/v1/devices/{DEVICE_IDS[1]}", headers=auth),
                      await client.get("/api/v1/patients/nobody", headers=auth),
                      await register_device_answer(client, auth, DEVICE_IDS[0], "x")]
            for path in ("/dashboard/", f"/patients/{patient_id}", f"/patients/{patient_id}/sync-status",
                         "/alerts/", f"/devices/{device_id}"):
                assert (await client.get("/api/v1" + path, headers=auth)).status_code == 200
    assert len(world.emr.observations) == 2  # the released crisis reading went to the EMR
    assert world.notifier.sent, "the crisis alert was pushed"
    assert [r.status_code for r in errors] == [422, 404, 404, 409]
    assert {e["event"] for e in events} >= {"webhook_received", "emr_push", "alert_push"}  # the capture works
    captured = {
        "structured logs": repr(events),
        # the test client's own request log (logger "httpx") is not the server's; production logging
        # keeps httpx at WARNING (see test_logging_setup)
        "stdlib logs": "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("httpx")),
        "audit trail": repr(world.audit.entries),
        "push payloads": repr([s.message for s in world.notifier.sent]),
        "error responses": " ".join(r.text for r in errors),
    }
    assert {where: _leaks(text) for where, text in captured.items() if _leaks(text)} == {}
