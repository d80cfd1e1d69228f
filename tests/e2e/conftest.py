"""HTTP tests: the real Litestar app and dishka container, every port overridden by fakes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from domain.users import Role
from tests.support.app import build_app, login
from tests.support.world import World

MONITORING_START = "2026-11-20T00:00:00Z"


@pytest.fixture
def app(world: World) -> Litestar:
    return build_app(world)


@pytest.fixture
async def client(app: Litestar) -> AsyncIterator[AsyncTestClient[Litestar]]:
    async with AsyncTestClient(app=app) as test_client:
        yield test_client


@pytest.fixture
async def auth(client: AsyncTestClient[Litestar], world: World) -> dict[str, str]:
    return await login(client, world, Role.CLINICIAN)


async def enrol_patient(
    client: AsyncTestClient[Litestar], auth: dict[str, str], emr_id: str = "synthetic-patient-0001",
    device_id: str = "860013045678901", model: str = "TMB-2092-G",
) -> dict[str, Any]:
    """Import a patient, register a cuff and assign it from the start of the fixtures' day."""
    imported = await client.post(
        "/api/v1/patients/import_selected_from_ecw/", json={"ecw_patient_ids": [emr_id]}, headers=auth
    )
    patient_id = imported.json()["patients"][0]["vantrexia_id"]
    device = await client.post("/api/v1/devices/", json={"device_id": device_id, "model_number": model},
                               headers=auth)
    assigned = await client.post(
        f"/api/v1/devices/{device.json()['id']}/assign/",
        json={"patient_id": patient_id, "effective_from": MONITORING_START}, headers=auth,
    )
    assert assigned.status_code == 200, assigned.text
    return {"patient_id": patient_id, "device_id": device.json()["id"]}
