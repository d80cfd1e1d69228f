"""POST /api/v1/readings/{id}/entered-in-error/: withdraw a misattributed reading over HTTP."""

from __future__ import annotations

from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.support.api import enrol_patient
from tests.support.app import deliver, drain_outbox, fixture
from tests.support.world import World


async def test_a_withdrawn_reading_is_entered_in_error_in_the_emr_and_on_the_audit_trail(
    client: AsyncTestClient[Litestar], auth: dict[str, str], world: World
) -> None:
    await enrol_patient(client, auth)
    reading_id = (await deliver(client, fixture("bp_normal"))).json()["reading_id"]
    await drain_outbox(client)
    answer = await client.post(f"/api/v1/readings/{reading_id}/entered-in-error/", headers=auth)
    assert answer.status_code == 202
    body = answer.json()
    assert (body["status"], len(body["withdrawals"]), body["already_withdrawn"]) == ("entered_in_error", 2, False)
    assert await drain_outbox(client) == 2
    assert world.emr.withdrawn == {f"{reading_id}-85354-9", f"{reading_id}-8867-4"}
    assert "reading.withdraw" in {e.action for e in world.audit.entries}
    repeat = (await client.post(f"/api/v1/readings/{reading_id}/entered-in-error/", headers=auth)).json()
    assert (repeat["already_withdrawn"], repeat["withdrawals"]) == (True, [])


async def test_unknown_or_never_sent_readings_get_a_clear_problem(
    client: AsyncTestClient[Litestar], auth: dict[str, str]
) -> None:
    missing = await client.post("/api/v1/readings/no-such-reading/entered-in-error/", headers=auth)
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/problem+json")
    held = (await deliver(client, fixture("bp_normal"))).json()  # nobody has this cuff: held back
    assert held["status"] == "quarantined"
    conflict = await client.post(f"/api/v1/readings/{held['reading_id']}/entered-in-error/", headers=auth)
    assert conflict.status_code == 404  # a held reading belongs to no patient yet
