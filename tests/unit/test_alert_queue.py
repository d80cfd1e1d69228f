"""The console's alert queue: unresolved alerts of the practice with names, critical first; an unchanged
poll reads no patient and audits nothing."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from application.alert_queue import QueueQuery, ShowAlertQueue
from application.context import Actor
from domain.alerts import Alert, AlertStatus, Severity
from tests.integration.builders import patient
from tests.support.world import World
from tests.unit.conftest import NOW

NORTH = Actor("user-north", practice_id="north")


def _alert(world: World, patient_id: str, severity: Severity, status: AlertStatus, minutes_ago: int) -> Alert:
    alert = Alert(id=world.ids.new_id(), patient_id=patient_id, reading_id=world.ids.new_id(), rule="bp_crisis",
                  severity=severity, status=status, raised_at=NOW - timedelta(minutes=minutes_ago))
    world.db.alerts[alert.id] = alert
    return alert


def _seed(world: World) -> dict[str, Alert]:
    ada, bob = replace(patient(), name="Ada North", practice_id="north"), replace(patient(), name="Bob North",
                                                                                  practice_id="north")
    other = replace(patient(), name="Cy South", practice_id="south")
    for p in (ada, bob, other):
        world.db.patients[p.id] = p
    return {
        "old warning": _alert(world, ada.id, Severity.WARNING, AlertStatus.OPEN, 50),
        "acknowledged critical": _alert(world, bob.id, Severity.CRITICAL, AlertStatus.ACKNOWLEDGED, 40),
        "new critical": _alert(world, ada.id, Severity.CRITICAL, AlertStatus.OPEN, 5),
        "old critical": _alert(world, bob.id, Severity.CRITICAL, AlertStatus.OPEN, 30),
        "resolved": _alert(world, ada.id, Severity.CRITICAL, AlertStatus.RESOLVED, 60),
        "elsewhere": _alert(world, other.id, Severity.CRITICAL, AlertStatus.OPEN, 90),
    }


async def test_critical_first_then_open_before_acknowledged_then_oldest_with_names(world: World) -> None:
    seeded = _seed(world)
    queue = await ShowAlertQueue(world.uow, world.auditor)(QueueQuery(NORTH))
    assert queue is not None
    assert [(i.alert.id, i.patient_name) for i in queue.items] == [
        (seeded["old critical"].id, "Bob North"), (seeded["new critical"].id, "Ada North"),
        (seeded["acknowledged critical"].id, "Bob North"), (seeded["old warning"].id, "Ada North")]
    (entry,) = world.audit.entries
    assert (entry.action, set(entry.resource_ids) >= {i.alert.id for i in queue.items}) == ("alert.queue", True)


async def test_an_unchanged_queue_answers_none_and_a_change_gives_a_new_version(world: World) -> None:
    seeded = _seed(world)
    show = ShowAlertQueue(world.uow, world.auditor)
    first = await show(QueueQuery(NORTH))
    assert first is not None
    assert await show(QueueQuery(NORTH, known_version=first.version)) is None
    assert len(world.audit.entries) == 1
    world.db.alerts[seeded["old warning"].id] = replace(seeded["old warning"], status=AlertStatus.ACKNOWLEDGED)
    changed = await show(QueueQuery(NORTH, known_version=first.version))
    assert changed is not None
    assert changed.version != first.version
