"""The relay and per-practice destinations: a practice's items are claimed only as far as its destination has
room (none while it rests), others go on, and every
send is noted as its practice's delivery health (topics without per-practice destinations are left alone)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from application.relay import RelayBatch
from application.relay_handler import Outcome
from application.send_observations import EmrCreateHandler
from application.withdraw_observations import EmrWithdrawHandler
from domain.delivery_health import ConnectionHealth
from domain.ports import UnitOfWork
from domain.sync import OutboxItem, OutboxTopic, SyncStatus
from tests.support.world import World
from tests.unit.conftest import NOW
from tests.unit.test_outbox_relay import LAB, LabOrderHandler, relay_of
from tests.unit.test_send_observations import accepted_bp

EMR_LIKE = "emr.push"


class PracticeEmrHandler:
    """An EMR-like topic: each practice's own destination, answering as scripted per practice."""

    topic = EMR_LIKE
    span_name = "emr.push"
    audit_action = "emr.observation.create"
    audit_resource = "Observation"

    def __init__(self, answers: Mapping[str, Outcome], rooms: Mapping[str, int] | None = None) -> None:
        self.answers, self.rooms = answers, dict(rooms or {})
        self.sent: list[str] = []

    def room(self) -> Mapping[str, int]:
        return self.rooms

    async def prepare(self, uow: UnitOfWork, items: Sequence[OutboxItem]) -> Mapping[str, object]:
        return {}

    async def send(self, item: OutboxItem, prepared: object | None) -> Outcome:
        self.sent.append(item.id)
        return self.answers[item.practice_id or ""]

    async def record(self, uow: UnitOfWork, sent: Sequence[tuple[OutboxItem, Outcome]], now: datetime) -> None:
        return None


async def queued(world: World, *items: tuple[str, str, str | None]) -> None:
    """Items (id, topic, practice), due now."""
    async with world.uow as uow:
        await uow.outbox.add_many([OutboxItem(id=i, topic=t, status=SyncStatus.PENDING, created_at=NOW, updated_at=NOW,
                                              next_attempt_at=NOW, practice_id=p) for i, t, p in items])
        await uow.commit()


async def test_a_resting_practices_items_stay_while_other_practices_and_other_topics_go(world: World) -> None:
    await queued(world, ("a-1", EMR_LIKE, "a"), ("b-1", EMR_LIKE, "b"), ("lab-a", LAB, "a"))
    emr = PracticeEmrHandler({"b": Outcome.done(201, "obs-b")}, rooms={"a": 0})
    relay = relay_of(world, emr, LabOrderHandler(Outcome.done(201, "order-a")))
    report = await relay(RelayBatch("w1"))
    assert sorted((r.item_id, r.status) for r in report.results) == [("b-1", "delivered"), ("lab-a", "delivered")]
    assert (world.db.outbox["a-1"].status, world.db.outbox["a-1"].attempts) == (SyncStatus.PENDING, 0)
    emr.answers, emr.rooms = {"a": Outcome.done(201, "obs-a")}, {}  # rested: it goes next time
    assert [(r.item_id, r.status) for r in (await relay(RelayBatch("w1"))).results] == [("a-1", "delivered")]


async def test_each_send_is_noted_as_its_practices_delivery_health(world: World) -> None:
    await queued(world, ("a-1", EMR_LIKE, "a"), ("b-1", EMR_LIKE, "b"), ("lab-c", LAB, "c"))
    answers = {"a": Outcome.failure("EMR unavailable (HTTP 503)", http_status=503, retry_after=600),
               "b": Outcome.done(201, "obs-b")}
    relay = relay_of(world, PracticeEmrHandler(answers), LabOrderHandler(Outcome.done(201, "order-c")))
    await relay(RelayBatch("w1"))
    world.clock.advance(timedelta(minutes=5))
    await queued(world, ("a-2", EMR_LIKE, "a"))
    answers["a"] = Outcome.done(201, "obs-a")
    await relay(RelayBatch("w1"))
    later = NOW + timedelta(minutes=5)
    assert world.db.delivery_health == {  # the lab topic has no per-practice destination: nothing noted for c
        "a": ConnectionHealth("a", last_success_at=later, last_failure_at=NOW,
                              last_failure="EMR unavailable (HTTP 503)", last_failure_http_status=503),
        "b": ConnectionHealth("b", last_success_at=NOW),
    }
    async with world.uow as uow:
        report = await uow.delivery_health.report()
    assert [(h.practice_id, h.backlog) for h in report] == [("a", 1), ("b", 0)]  # a-1 waits for its retry


async def test_the_alert_topic_is_never_held_back_for_a_resting_practice(world: World) -> None:
    await queued(world, ("alert-a", OutboxTopic.NOTIFY_ALERT.value, "a"), ("a-1", EMR_LIKE, "a"))
    alerts = LabOrderHandler(Outcome.done(None, "1 device(s)"))
    alerts.topic = OutboxTopic.NOTIFY_ALERT.value
    relay = relay_of(world, alerts, PracticeEmrHandler({}, rooms={"a": 0}))
    assert [r.item_id for r in (await relay(RelayBatch("w1"))).results] == ["alert-a"]


async def test_the_emr_topics_rest_when_the_directory_says_their_practice_rests(world: World) -> None:
    await accepted_bp(world)
    world.emr_rooms["default"] = 0
    relay = relay_of(world, EmrCreateHandler(world.emr_directory), EmrWithdrawHandler(world.emr_directory))
    assert (await relay(RelayBatch("w1"))).results == ()
    assert {(i.status, i.attempts, i.practice_id) for i in world.db.outbox.values()} == {
        (SyncStatus.PENDING, 0, "default")}
    world.emr_rooms.clear()
    assert [r.status for r in (await relay(RelayBatch("w1"))).results] == ["delivered", "delivered"]
    assert world.db.delivery_health["default"].last_success_at == NOW


async def test_the_emr_topics_claim_no_more_of_a_practice_than_its_emr_has_room_for(world: World) -> None:
    await accepted_bp(world)  # its two Observations
    world.emr_rooms["default"] = 1  # after a rest, one call may try the connection
    relay = relay_of(world, EmrCreateHandler(world.emr_directory), EmrWithdrawHandler(world.emr_directory))
    assert [r.status for r in (await relay(RelayBatch("w1"))).results] == ["delivered"]
    waiting = [i for i in world.db.outbox.values() if i.status is SyncStatus.PENDING]
    assert [(i.attempts, i.id in world.db.leases) for i in waiting] == [(0, False)]  # not claimed to wait
    world.emr_rooms.clear()
    assert [r.status for r in (await relay(RelayBatch("w1"))).results] == ["delivered"]
