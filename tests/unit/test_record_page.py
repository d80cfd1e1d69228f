"""A page taken in set by set ends exactly as the same deliveries taken in one by one.

Two worlds get the same mixed page through the one intake: one as lone deliveries (a page each, as
single webhooks are), one as a single page (a batch sync's page, or webhooks taken in together).
Their outcomes and what they stored must be the same, ids aside.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from typing import Any

from application.context import CLI
from application.take_in_deliveries import Arrival, TakeInDeliveriesCommand
from domain.deliveries import DeviceTelemetry, IncomingDelivery, Malformed
from tests.support.world import World
from tests.unit.conftest import NOW, bp
from tests.unit.test_record_reading import BODY, assign_cuff, take_in

OTHER_CUFF = "860013045670000"


def page() -> list[Arrival]:
    def delivery(webhook_id: str, message: DeviceTelemetry | Malformed) -> Arrival:
        return Arrival(IncomingDelivery("mioconnect", webhook_id, BODY + webhook_id.encode(), message), CLI)

    hours = [NOW - timedelta(hours=h) for h in range(1, 8)]
    return [
        delivery("msg_1", bp(at=hours[0])),  # accepted
        delivery("msg_1", bp(at=hours[0])),  # the same webhook id again, in the same page
        delivery("msg_2", bp(at=hours[0])),  # the same reading under another webhook id
        delivery("msg_3", bp(190, 95, at=hours[1])),  # a crisis: one alert...
        delivery("msg_4", bp(195, 100, at=hours[2])),  # ...not two within the window
        delivery("msg_5", bp(at=hours[3], device=OTHER_CUFF)),  # a device nobody assigned: quarantined
        delivery("msg_6", Malformed("body is not JSON")),  # rejected
        delivery("msg_7", bp(at=hours[4], is_test=True)),  # discarded: a test message
        delivery("msg_8", replace(bp(), measurement=None, unknown_type="ecg")),  # discarded: unsupported
        delivery("msg_9", bp(132, 84, at=hours[5])),  # over this patient's own stage-2 threshold (130)
        delivery("msg_10", bp(at=hours[6], device=OTHER_CUFF)),  # the new device, seen again
    ]


async def enrolled() -> tuple[World, str]:
    world = World()
    patient_id = await assign_cuff(world)
    async with world.uow as uow:
        await uow.thresholds.save(patient_id, {"systolic_stage2_from": Decimal(130)}, NOW)
        await uow.commit()
    return world, patient_id


def stored(world: World) -> dict[str, Any]:
    """What the world holds, by content (ids are generated in a different order on each path)."""
    db = world.db
    return {
        "deliveries": Counter((d.webhook_id, d.status.value, d.reason) for d in db.deliveries.values()),
        "readings": Counter((r.measured_at, r.status.value, r.patient_id, r.reason) for r in db.readings.values()),
        "outbox": Counter((i.topic.value, i.code, db.readings[i.reading_id].measured_at if i.reading_id else None)
                          for i in db.outbox.values()),
        "alerts": Counter((a.rule, a.severity.value, db.readings[a.reading_id].measured_at)
                          for a in db.alerts.values()),
        "devices": sorted((d.gateway_device_id, d.last_seen_at) for d in db.devices.values()),
        "audit": Counter((e.action, e.details.get("status")) for e in world.audit.entries
                         if e.action == "webhook.delivery"),
    }


def outcomes(world: World, events: list[Any]) -> list[tuple[str, str | None, Any]]:
    def when(reading_id: str | None) -> Any:
        return world.db.readings[reading_id].measured_at if reading_id else None
    return [(e.status.value, e.reason, when(e.reading_id)) for e in events]


async def test_a_page_ends_as_the_same_deliveries_sent_one_by_one() -> None:
    one_by_one, _ = await enrolled()
    alone = take_in(one_by_one)
    singly = [outcome for arrival in page() for outcome in await alone(TakeInDeliveriesCommand([arrival]))]
    paged, patient_id = await enrolled()
    together = await take_in(paged)(TakeInDeliveriesCommand(page()))

    assert outcomes(paged, together) == outcomes(one_by_one, singly)
    assert [e.status.value for e in together] == [
        "accepted", "duplicate", "duplicate", "accepted", "accepted", "quarantined", "rejected", "discarded",
        "discarded", "accepted", "quarantined"]
    assert together[1].reading_id == together[0].reading_id  # a repeated webhook id names the first's reading
    per_delivery = stored(paged)
    assert per_delivery == stored(one_by_one)
    assert sorted(rule for rule, _, _ in per_delivery["alerts"]) == ["bp_crisis", "bp_stage2"]
    assert all(r[2] == patient_id for r in per_delivery["readings"] if r[1] == "accepted")
    # one audit entry per delivery, whichever way it came
    assert per_delivery["audit"] == Counter(("webhook.delivery", e.status.value) for e in together)


async def test_a_page_pulled_again_stores_nothing_new() -> None:
    world, _ = await enrolled()
    record = take_in(world)
    await record(TakeInDeliveriesCommand(page()))
    before = stored(world)
    again = await record(TakeInDeliveriesCommand(page()))
    assert {e.status.value for e in again} == {"duplicate"}
    after = stored(world)
    assert {k: v for k, v in after.items() if k not in ("audit", "devices")} == {
        k: v for k, v in before.items() if k not in ("audit", "devices")}


async def test_an_over_long_message_id_is_kept_as_its_surrogate_on_both_paths() -> None:
    long_id = "sync:" + "9" * 300  # the batch sync's ids come from the device cloud too
    arrivals = [Arrival(IncomingDelivery("mioconnect", long_id, BODY, bp(at=NOW - timedelta(hours=1))), CLI)] * 2
    one_by_one, _ = await enrolled()
    singly = [e for a in arrivals for e in await take_in(one_by_one)(TakeInDeliveriesCommand([a]))]
    paged, _ = await enrolled()
    together = await take_in(paged)(TakeInDeliveriesCommand(arrivals))
    assert [e.status.value for e in together] == [e.status.value for e in singly] == ["accepted", "duplicate"]
    (kept,) = paged.db.deliveries.values()
    assert kept.webhook_id == "sha256:" + hashlib.sha256(long_id.encode()).hexdigest()
    assert stored(paged)["deliveries"] == stored(one_by_one)["deliveries"]
