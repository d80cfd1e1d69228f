"""Each EMR connection's delivery health — last success, last failure (reason, HTTP status), backlog — in
GET /health (every connection) and on the dashboard (a clinician's own practice's; an admin's: every one)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient

from domain.emr_connections import EmrConnection, EmrVendor
from domain.ports.emr import EmrUnavailable
from domain.users import Role
from tests.support.api import enrol_patient, login
from tests.support.app import deliver, drain_outbox, fixture
from tests.support.world import World

NORTH = EmrConnection(id="conn-north", practice_id="north", vendor=EmrVendor.SMART,
                      fhir_base_url="https://emr.north.example/fhir", client_id="north-client",
                      created_at=datetime(2026, 11, 1, tzinfo=UTC), updated_at=datetime(2026, 11, 1, tzinfo=UTC))
OUTAGE = "EMR unavailable (HTTP 503)"
NOTHING_YET = {"practice_id": "north", "last_success_at": None, "last_failure_at": None, "last_failure": None,
               "last_failure_http_status": None, "backlog": 0}


async def one_push_failed(client: AsyncTestClient[Litestar], world: World) -> dict[str, str]:
    """The default practice's blood pressure: one Observation delivered, the other refused by an outage."""
    admin = await login(client, world, Role.ADMIN)
    await enrol_patient(client, admin)
    world.db.emr_connections[NORTH.id] = NORTH  # a second clinic's connection, nothing sent there yet
    world.emr.fail_next(EmrUnavailable(OUTAGE, http_status=503, retry_after=600))
    assert (await deliver(client, fixture("bp_normal"))).status_code == 202
    await drain_outbox(client)
    return admin


def default_practice(at: str) -> dict[str, Any]:
    return {"practice_id": "default", "last_success_at": at, "last_failure_at": at, "last_failure": OUTAGE,
            "last_failure_http_status": 503, "backlog": 1}


async def test_health_reports_every_connection(client: AsyncTestClient[Litestar], world: World) -> None:
    await one_push_failed(client, world)
    health = (await client.get("/health")).json()
    assert (health["status"], health["database"]) == ("ok", "ok")  # the keys of before stay
    at = world.clock.now().isoformat().replace("+00:00", "Z")
    assert health["emr_connections"] == [default_practice(at), NOTHING_YET]


async def test_the_dashboard_shows_a_clinician_their_practices_connection_and_an_admin_every_one(
    client: AsyncTestClient[Litestar], world: World,
) -> None:
    admin = await one_push_failed(client, world)
    at = world.clock.now().isoformat().replace("+00:00", "Z")
    everyone = (await client.get("/api/v1/dashboard/", headers=admin)).json()
    assert everyone["emr_sync"] == {"pending": 0, "retrying": 1, "dead": 0}  # the counts of before stay
    assert everyone["emr_connections"] == [default_practice(at), NOTHING_YET]
    north = await login(client, world, Role.CLINICIAN, "north")
    assert (await client.get("/api/v1/dashboard/", headers=north)).json()["emr_connections"] == [NOTHING_YET]
    default = await login(client, world, Role.CLINICIAN, "default")
    assert (await client.get("/api/v1/dashboard/", headers=default)).json()["emr_connections"] == [
        default_practice(at)]
