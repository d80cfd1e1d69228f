"""The outbox relay: one claim for every topic, and one way of recording attempts for all of them."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import datetime, timedelta

from adapters.fakes.notifier import FakeNotifier
from application.context import Actor
from application.push_alerts import AlertPushHandler
from application.relay import OutboxRelay, RelayBatch
from application.relay_handler import Outcome
from application.retry_sync import RetrySyncItem
from application.send_observations import EmrCreateHandler
from application.withdraw_observations import EmrWithdrawHandler
from application.withdraw_reading import WithdrawReading, WithdrawReadingCommand
from domain.audit import AuditOutcome
from domain.ports import UnitOfWork
from domain.sync import OutboxItem, OutboxTopic, SyncStatus
from tests.support.world import World
from tests.unit.conftest import NOW, bp
from tests.unit.test_record_reading import record
from tests.unit.test_send_observations import POLICY, accepted_bp

LAB = "lab.order"  # a topic no code knows of but its handler


class LabOrderHandler:
    """A toy topic: answers are scripted; the record hook notes what it was given."""

    topic = LAB
    span_name = "lab.send"
    audit_action = "lab.order.send"
    audit_resource = "LabOrder"

    def __init__(self, *answers: Outcome) -> None:
        self.answers = list(answers)
        self.prepared_for: list[str] = []
        self.recorded: list[tuple[str, str]] = []

    async def prepare(self, uow: UnitOfWork, items: Sequence[OutboxItem]) -> Mapping[str, object]:
        self.prepared_for.extend(i.id for i in items)
        return {i.id: f"order-of-{i.id}" for i in items}

    async def send(self, item: OutboxItem, prepared: object | None) -> Outcome:
        assert prepared == f"order-of-{item.id}"
        return self.answers.pop(0)

    async def record(self, uow: UnitOfWork, sent: Sequence[tuple[OutboxItem, Outcome]], now: datetime) -> None:
        self.recorded.extend((after.id, after.status.value) for after, _ in sent)


async def lab_order(world: World) -> str:
    item = OutboxItem(id="lab-1", topic=LAB, status=SyncStatus.PENDING, created_at=NOW, updated_at=NOW,
                      next_attempt_at=NOW, resource_type="LabOrder")
    async with world.uow as uow:
        await uow.outbox.add(item)
        await uow.commit()
    return item.id


def relay_of(world: World, *handlers: object, claims: list[int] | None = None) -> OutboxRelay:
    def units() -> AbstractAsyncContextManager[UnitOfWork]:
        return _counted(world, claims) if claims is not None else world.uow
    return OutboxRelay(units, handlers, world.clock, world.ids, world.random, POLICY,  # type: ignore[arg-type]
                       world.auditor)


@asynccontextmanager
async def _counted(world: World, opened: list[int]) -> AsyncIterator[UnitOfWork]:
    opened.append(1)
    async with world.uow as uow:
        yield uow


async def test_a_new_topic_needs_only_its_handler_to_be_relayed_retried_recorded_and_audited(world: World) -> None:
    item_id = await lab_order(world)
    handler = LabOrderHandler(Outcome.failure("lab busy", http_status=503, retry_after=30),
                              Outcome.done(201, "order-77"))
    relay = relay_of(world, handler)
    first = await relay(RelayBatch("w1"))
    assert [(r.item_id, r.status, r.http_status) for r in first.results] == [(item_id, "retrying", 503)]
    assert world.db.outbox[item_id].next_attempt_at == NOW + timedelta(seconds=30)  # Retry-After beats backoff
    world.clock.advance(timedelta(seconds=29))
    assert (await relay(RelayBatch("w1"))).results == ()  # not due yet
    world.clock.advance(timedelta(seconds=2))
    await relay(RelayBatch("w1"))
    stored = world.db.outbox[item_id]
    assert (stored.status, stored.attempts, stored.external_id) == (SyncStatus.DELIVERED, 2, "order-77")
    assert sorted((a.status, a.http_status) for a in world.db.attempts.values()) == [
        (SyncStatus.DELIVERED, 201), (SyncStatus.RETRYING, 503)]
    assert handler.prepared_for == [item_id, item_id]
    assert handler.recorded == [(item_id, "retrying"), (item_id, "delivered")]
    audited = [(e.action, e.resource_type, e.resource_ids, e.outcome) for e in world.audit.entries]
    assert audited == [("lab.order.send", "LabOrder", (item_id, ""), AuditOutcome.FAILURE),
                       ("lab.order.send", "LabOrder", (item_id, ""), AuditOutcome.SUCCESS)]


async def test_a_new_topics_refusal_is_dead_and_an_admin_retry_sends_it_again(world: World) -> None:
    item_id = await lab_order(world)
    handler = LabOrderHandler(Outcome.failure("unknown test code", http_status=422, permanent=True),
                              Outcome.done(201, "order-78"))
    relay = relay_of(world, handler)
    await relay(RelayBatch("w1"))
    assert (world.db.outbox[item_id].status, world.db.outbox[item_id].last_error) == (SyncStatus.DEAD,
                                                                                      "unknown test code")
    await RetrySyncItem(world.uow, world.clock, world.auditor)(Actor("admin-1", "req-1"), item_id)
    await relay(RelayBatch("w1"))
    assert (world.db.outbox[item_id].status, world.db.outbox[item_id].attempts) == (SyncStatus.DELIVERED, 1)


async def test_an_unexpected_error_in_a_handler_costs_an_attempt_not_the_batch(world: World) -> None:
    item_id = await lab_order(world)
    handler = LabOrderHandler()  # no answer scripted: send raises IndexError
    report = await relay_of(world, handler)(RelayBatch("w1"))
    assert [r.status for r in report.results] == ["retrying"]
    assert world.db.outbox[item_id].last_error == "unexpected IndexError"


async def test_one_claim_serves_every_topic_and_the_alert_handler_flags_an_alert_nobody_can_receive(
    world: World,
) -> None:
    await accepted_bp(world)
    await record(world, bp(sys_=190, dia=125, at=NOW - timedelta(minutes=30)), webhook_id="msg_2")  # a crisis
    assert {i.topic for i in world.db.outbox.values()} == {OutboxTopic.EMR_PUSH, OutboxTopic.NOTIFY_ALERT}
    opened: list[int] = []
    emr = world.emr_directory
    handlers = (AlertPushHandler(FakeNotifier()), EmrCreateHandler(emr), EmrWithdrawHandler(emr))
    report = await relay_of(world, *handlers, claims=opened)(RelayBatch("w1"))
    assert len(opened) == 2  # one transaction to claim every topic, one to record the whole batch
    assert len(report.results) == len(world.db.outbox) == 5
    assert len(world.emr.observations) == 4
    (alert_item,) = [i for i in world.db.outbox.values() if i.topic == OutboxTopic.NOTIFY_ALERT]
    assert (alert_item.status, alert_item.last_error) == (SyncStatus.DEAD, "no registered push token")
    assert [a.no_push_target for a in world.db.alerts.values()] == [True]


async def test_alerts_are_claimed_before_an_older_emr_backlog(world: World) -> None:
    await accepted_bp(world)
    world.clock.advance(timedelta(minutes=1))
    await record(world, bp(sys_=190, dia=125, at=NOW - timedelta(minutes=30)), webhook_id="msg_2")
    relay = relay_of(world, EmrCreateHandler(world.emr_directory), EmrWithdrawHandler(world.emr_directory),
                     AlertPushHandler(FakeNotifier()))
    unranked = await relay(RelayBatch("w1", limit=1))
    assert [r.topic for r in unranked.results] == [OutboxTopic.EMR_PUSH]  # handler order is claim order
    ranked = relay_of(world, AlertPushHandler(FakeNotifier()), EmrCreateHandler(world.emr_directory))
    assert [r.topic for r in (await ranked(RelayBatch("w1", limit=1))).results] == [OutboxTopic.NOTIFY_ALERT]


async def test_a_withdrawal_claimed_with_its_push_waits_without_spending_an_attempt(world: World) -> None:
    reading_id = await accepted_bp(world)
    await WithdrawReading(world.uow, world.clock, world.ids, world.auditor)(
        WithdrawReadingCommand(reading_id, Actor("user-1", "req-1")))
    relay = relay_of(world, EmrCreateHandler(world.emr_directory), EmrWithdrawHandler(world.emr_directory))
    report = await relay(RelayBatch("w1"))
    statuses = sorted((r.topic, r.status) for r in report.results)
    assert statuses == [("emr.push", "dead"), ("emr.push", "dead"), ("emr.withdraw", "pending"),
                        ("emr.withdraw", "pending")]
    withdrawals = [i for i in world.db.outbox.values() if i.topic == OutboxTopic.EMR_WITHDRAW]
    assert {(i.attempts, i.next_attempt_at) for i in withdrawals} == {(0, NOW + timedelta(seconds=5))}
    assert {a.item_id for a in world.db.attempts.values()} == {i.id for i in world.db.outbox.values()
                                                               if i.topic == OutboxTopic.EMR_PUSH}
    world.clock.advance(timedelta(seconds=5))
    await relay(RelayBatch("w1"))
    assert {(i.status, i.attempts) for i in withdrawals for i in [world.db.outbox[i.id]]} == {
        (SyncStatus.DELIVERED, 1)}


async def test_pipelined_sends_slide_and_settling_sends_and_records_what_was_claimed(world: World) -> None:
    await accepted_bp(world)
    for n in range(3):
        await record(world, bp(at=NOW - timedelta(minutes=50 - n)), webhook_id=f"msg_{n + 2}")
    assert len(world.db.outbox) == 8
    relay = relay_of(world, EmrCreateHandler(world.emr_directory))
    first = await relay(RelayBatch("w1", limit=2, pipelined=True))
    assert (first.results, first.under_way) == ((), 6)  # two being sent, two windows claimed ahead; none recorded
    assert len(world.db.leases) == 6
    assert await relay.settle() is None  # stopping: what was claimed is sent, and everything recorded
    delivered = [i for i in world.db.outbox.values() if i.status is SyncStatus.DELIVERED]
    assert (len(delivered), len(world.db.attempts), len(world.emr.observations)) == (6, 6, 6)
    assert len(world.db.leases) == 0  # nothing left leased: the last two are simply still due
    second = await relay(RelayBatch("w1", limit=2, pipelined=True))
    assert second.under_way == 2
    await relay.settle()
    assert {i.status for i in world.db.outbox.values()} == {SyncStatus.DELIVERED}
