"""The worker's log on the hot path: one INFO line per relay batch, per-item detail at DEBUG only."""

from __future__ import annotations

import structlog
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.support.api import enrol_patient
from tests.support.app import deliver, drain_outbox, fixture
from tests.support.world import World


async def test_a_batch_of_pushes_logs_one_info_line_with_its_counts(
    client: AsyncTestClient[Litestar], auth: dict[str, str], world: World
) -> None:
    await enrol_patient(client, auth)
    for offset in range(3):
        await deliver(client, fixture("bp_normal", ts=1795183194 + offset * 60))
    structlog.reset_defaults()  # an earlier CLI test may have configured a WARNING-level filter
    with structlog.testing.capture_logs() as events:
        await drain_outbox(client)
    assert len(world.emr.observations) == 6
    info = [e for e in events if e["log_level"] == "info"]
    assert [(e["event"], e.get("delivered"), len(e.get("delivered_ids", ()))) for e in info] == [
        ("outbox_batch", 6, 6)]
    per_item = [e for e in events if e["event"] == "emr_push"]
    assert len(per_item) == 6
    assert {e["log_level"] for e in per_item} == {"debug"}
