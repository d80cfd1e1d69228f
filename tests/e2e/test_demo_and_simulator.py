"""`make run`'s demo data, and the simulator's deliveries as the server sees them."""

from __future__ import annotations

import json
import random
import stat
from pathlib import Path

from litestar.testing import AsyncTestClient

from adapters.mioconnect.parse import parse_telemetry
from domain.validation import discard_reason
from entrypoints.simulator import KINDS, delivery, device_imei
from tests.support.api import sign_in
from tests.support.app import build_app, deliver, settings_for_tests
from tests.support.world import FIXTURE_TIME, World


async def test_demo_mode_creates_an_admin_and_monitored_patients(tmp_path: Path) -> None:
    world = World()
    password_file = tmp_path / "demo-admin-password"
    app = build_app(world, settings_for_tests(demo=True, demo_password_file=str(password_file)))
    async with AsyncTestClient(app=app) as client:
        password = password_file.read_text().strip()
        assert stat.S_IMODE(password_file.stat().st_mode) == 0o600
        auth = await sign_in(client, "demo-admin", password)
        patients = (await client.get("/api/v1/patients/", headers=auth)).json()
        assert patients["total"] == 4
        body = delivery(1, KINDS[1], random.Random(7), invalid=False, now=int(FIXTURE_TIME.timestamp()))
        assert body["deviceId"] == device_imei(1)
        answer = await deliver(client, body)
        assert answer.json()["status"] == "accepted"
    assert password not in " ".join(str(e.details) for e in world.audit.entries)


def test_simulated_deliveries_parse_and_invalid_ones_are_set_aside() -> None:
    rng, now = random.Random(3), int(FIXTURE_TIME.timestamp())
    for n, kind in enumerate(KINDS, start=1):
        good = parse_telemetry(_encoded(delivery(n, kind, rng, invalid=False, now=now)))
        bad = parse_telemetry(_encoded(delivery(n, kind, rng, invalid=True, now=now)))
        assert good.measurement is not None
        assert bad.measurement is not None
        assert discard_reason(good.measurement, FIXTURE_TIME, is_test=False, device_problem=good.device_problem) is None
        assert discard_reason(bad.measurement, FIXTURE_TIME, is_test=False, device_problem=bad.device_problem)


def _encoded(body: dict[str, object]) -> bytes:
    return json.dumps(body).encode()
