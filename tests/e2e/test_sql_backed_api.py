"""The same slice with the real SQL adapter: SQLite and Postgres behind the HTTP API."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.support.api import enrol_patient, login_stored
from tests.support.app import (
    build_app,
    deliver,
    drain_outbox,
    fixture,
    settings_for_tests,
    signed,
)
from tests.support.world import World


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest) -> str:
    url: str = request.getfixturevalue(f"{request.param}_url")
    return url


@pytest.fixture
def sql_app(world: World, database_url: str) -> Litestar:
    return build_app(world, settings_for_tests(database_url=database_url), fake_database=False)


@pytest.fixture
async def sql_client(sql_app: Litestar) -> AsyncIterator[AsyncTestClient[Litestar]]:
    async with AsyncTestClient(app=sql_app) as test_client:
        yield test_client


async def test_reading_flows_to_the_emr_through_the_database(
    sql_app: Litestar, sql_client: AsyncTestClient[Litestar], world: World
) -> None:
    auth = await login_stored(sql_client, "dr-sql")
    ids = await enrol_patient(sql_client, auth)
    first = await deliver(sql_client, fixture("bp_normal"), webhook_id="msg_sql_1")
    again = await deliver(sql_client, fixture("bp_normal"), webhook_id="msg_sql_1")
    assert (first.json()["status"], again.json()["status"]) == ("accepted", "duplicate")

    assert await drain_outbox(sql_client) == 2

    status = (await sql_client.get(f"/api/v1/patients/{ids.patient_id}/sync-status", headers=auth)).json()
    assert sorted((i["code"], i["status"], i["http_status"]) for i in status["items"]) == [
        ("85354-9", "delivered", 201), ("8867-4", "delivered", 201)]
    readings = (await sql_client.get(f"/api/v1/patients/{ids.patient_id}/readings", headers=auth)).json()
    assert readings["total"] == 1
    assert readings["items"][0]["measured_at"].endswith("-05:00")
    assert len(world.emr.observations) == 2
    await expect_dashboard(sql_client, auth)
    assert (await sql_client.post("/api/v1/auth/logout", headers=auth)).status_code == 204
    assert (await sql_client.get("/api/v1/dashboard/", headers=auth)).status_code == 401


async def expect_dashboard(client: AsyncTestClient[Litestar], auth: dict[str, str]) -> None:
    """One monitored patient with today's reading, a crisis alert, a low cuff battery, EMR in sync."""
    await deliver(client, fixture("bp_crisis"))
    raw, headers = signed(fixture("status_bp", bat=15))
    await client.post("/api/v1/webhooks/mioconnect/status", content=raw, headers=headers)
    board = (await client.get("/api/v1/dashboard/", headers=auth)).json()
    assert board == {
        "patients_monitored": 1, "readings_today": 2, "open_alerts": {"warning": 0, "critical": 1},
        "alerts_without_push_target": 0, "patients_without_reading_3_days": 0,
        "emr_sync": {"pending": 2, "retrying": 0, "dead": 0}, "low_battery_devices": 1,
        "emr_connections": [{"practice_id": "default", "last_success_at": "2026-11-20T18:05:00Z",  # the earlier reading
                             "last_failure_at": None, "last_failure": None, "last_failure_http_status": None,
                             "backlog": 2}],
    }
