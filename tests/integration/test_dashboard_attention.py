"""The dashboard's "needs attention" lists and delivered-today count, alike on every unit of work."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from domain.dashboard import DashboardWindow
from domain.ports import UnitOfWork
from domain.sync import SyncStatus
from tests.integration.builders import T0, assignment, device, outbox_item, patient, reading

NOW = T0 + timedelta(days=5)
WINDOW = DashboardWindow(day_start=NOW - timedelta(hours=15), quiet_since=NOW - timedelta(days=3),
                         practice_id="north")


async def test_quiet_patients_longest_quiet_first_and_low_batteries_emptiest_first(uow: UnitOfWork) -> None:
    never, long_ago, lately, elsewhere = (replace(patient(), name=n, practice_id=p) for n, p in (
        ("Never Measured", "north"), ("Long Ago", "north"), ("Lately", "north"), ("Other Practice", "south")))
    cuffs = {p.id: replace(device(), battery_percent=b) for p, b in
             ((never, 15), (long_ago, 5), (lately, 90), (elsewhere, 1))}
    async with uow:
        for p in (never, long_ago, lately, elsewhere):
            await uow.patients.add(p)
            await uow.devices.add(cuffs[p.id])
            await uow.devices.add_assignment(assignment(cuffs[p.id].id, p.id))
        for p, at in ((long_ago, T0), (long_ago, T0 + timedelta(hours=1)), (lately, NOW - timedelta(days=1)),
                      (elsewhere, T0)):
            await uow.readings.add_if_new(reading(cuffs[p.id].id, p.id, at))
        await uow.commit()
    async with uow:
        found = await uow.dashboard.needs_attention(WINDOW, limit=10)
        capped = await uow.dashboard.needs_attention(WINDOW, limit=1)
        everyone = await uow.dashboard.needs_attention(replace(WINDOW, practice_id=None), limit=10)
    assert [(q.name, q.last_reading_at) for q in found.quiet_patients] == [
        ("Never Measured", None), ("Long Ago", T0 + timedelta(hours=1))]
    assert [(d.device_id, d.battery_percent) for d in found.low_battery_devices] == [
        (cuffs[long_ago.id].id, 5), (cuffs[never.id].id, 15)]
    assert ([q.name for q in capped.quiet_patients], len(capped.low_battery_devices)) == (["Never Measured"], 1)
    assert [q.name for q in everyone.quiet_patients] == ["Never Measured", "Other Practice", "Long Ago"]
    assert [d.battery_percent for d in everyone.low_battery_devices] == [1, 5, 15]


async def test_delivered_today_counts_this_practices_emr_pushes_delivered_since_midnight(uow: UnitOfWork) -> None:
    ours, theirs = replace(patient(), practice_id="north"), replace(patient(), practice_id="south")
    async with uow:
        for p in (ours, theirs):
            await uow.patients.add(p)
        for p, status, at in ((ours, SyncStatus.DELIVERED, NOW), (ours, SyncStatus.DELIVERED, NOW),
                              (ours, SyncStatus.DELIVERED, NOW - timedelta(days=1)), (ours, SyncStatus.DEAD, NOW),
                              (theirs, SyncStatus.DELIVERED, NOW)):
            await uow.outbox.add(replace(outbox_item(patient_id=p.id, created_at=at), status=status))
        await uow.commit()
    async with uow:
        snapshot = await uow.dashboard.snapshot(WINDOW)
    assert (snapshot.delivered_today, snapshot.sync["dead"]) == (2, 1)
