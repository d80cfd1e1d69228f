"""Repository contract, part 3: the outbox, its leases and sync attempts (fake, SQLite, Postgres)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from domain.ports import UnitOfWork
from domain.sync import OutboxTopic, SyncAttempt, SyncStatus, delivered
from tests.integration.builders import T0, new_id, outbox_item, seeded_reading
from tests.integration.conftest import UowFactory

LEASE = timedelta(seconds=60)
EMR = [OutboxTopic.EMR_PUSH]  # claim_due takes the topics to claim, in priority order


async def test_outbox_item_round_trip_and_save(uow: UnitOfWork) -> None:
    patient, _, measured = await seeded_reading(uow)
    item = outbox_item(reading_id=measured.id, patient_id=patient.id)
    async with uow:
        await uow.outbox.add(item)
        await uow.commit()
    done = delivered(item, T0 + timedelta(seconds=2), 201, "obs-123")
    async with uow:
        assert await uow.outbox.get(item.id) == item
        assert await uow.outbox.get(new_id()) is None
        await uow.outbox.save(done)
        await uow.commit()
    async with uow:
        assert await uow.outbox.get(item.id) == done


async def test_claim_due_leases_only_due_items_of_the_topic_in_due_order(uow: UnitOfWork) -> None:
    now = T0 + timedelta(minutes=10)
    later_due = outbox_item(due=now - timedelta(minutes=1), status=SyncStatus.RETRYING)
    earliest_due = outbox_item(due=now - timedelta(minutes=5))
    exactly_due = outbox_item(due=now)
    not_claimable = [
        outbox_item(due=now + timedelta(seconds=1)),
        outbox_item(due=T0, status=SyncStatus.DELIVERED),
        outbox_item(due=T0, status=SyncStatus.DEAD),
        outbox_item(due=T0, topic=OutboxTopic.NOTIFY_ALERT, code=None),
    ]
    async with uow:
        for item in (later_due, *not_claimable, exactly_due, earliest_due):
            await uow.outbox.add(item)
        first_two = await uow.outbox.claim_due(EMR, now, 2, "worker-a", LEASE)
        rest = await uow.outbox.claim_due(EMR, now, 10, "worker-a", LEASE)
        await uow.commit()
    assert list(first_two) == [earliest_due, later_due]
    assert list(rest) == [exactly_due]


async def test_a_lease_keeps_other_claimers_away_until_it_expires(new_uow: UowFactory) -> None:
    item = outbox_item(due=T0)
    async with new_uow() as uow:
        await uow.outbox.add(item)
        await uow.commit()
    async with new_uow() as worker_a:
        assert list(await worker_a.outbox.claim_due(EMR, T0, 10, "worker-a", LEASE)) == [item]
        await worker_a.commit()
    async with new_uow() as worker_b:
        assert list(await worker_b.outbox.claim_due(EMR, T0 + LEASE - timedelta(seconds=1), 10, "b", LEASE)) == []
        # worker A died: once its lease has run out, the item is claimable again
        assert list(await worker_b.outbox.claim_due(EMR, T0 + LEASE, 10, "worker-b", LEASE)) == [item]
        await worker_b.commit()


async def test_saving_an_item_releases_its_lease(new_uow: UowFactory) -> None:
    item = outbox_item(due=T0)
    async with new_uow() as uow:
        await uow.outbox.add(item)
        claimed = await uow.outbox.claim_due(EMR, T0, 10, "worker-a", LEASE)
        await uow.commit()
    retry_now = replace(claimed[0], status=SyncStatus.RETRYING, attempts=1, last_error="503")
    async with new_uow() as uow:
        await uow.outbox.save(retry_now)
        await uow.commit()
    async with new_uow() as uow:
        assert list(await uow.outbox.claim_due(EMR, T0 + timedelta(seconds=1), 10, "worker-b", LEASE)) == [retry_now]


async def test_items_of_a_patient_and_of_a_reading(uow: UnitOfWork) -> None:
    patient, _, measured = await seeded_reading(uow)
    other_patient, _, other_reading = await seeded_reading(uow)
    heart_rate = outbox_item(reading_id=measured.id, patient_id=patient.id, code="8867-4")
    blood_pressure = outbox_item(reading_id=measured.id, patient_id=patient.id, code="85354-9")
    newer = outbox_item(reading_id=measured.id, patient_id=patient.id, created_at=T0 + timedelta(hours=1))
    notification = outbox_item(patient_id=patient.id, topic=OutboxTopic.NOTIFY_ALERT, code=None)
    elsewhere = outbox_item(reading_id=other_reading.id, patient_id=other_patient.id)
    async with uow:
        for item in (heart_rate, newer, notification, blood_pressure, elsewhere):
            await uow.outbox.add(item)
        await uow.commit()
    async with uow:
        for_patient = await uow.outbox.for_patient(patient.id)
        for_reading = await uow.outbox.for_reading(measured.id)
    same_time_by_id_desc = sorted([heart_rate, blood_pressure], key=lambda i: i.id, reverse=True)
    assert list(for_patient) == [newer, *same_time_by_id_desc]
    assert list(for_reading) == [blood_pressure, heart_rate, newer]


async def test_attempts_of_an_item_oldest_first(uow: UnitOfWork) -> None:
    item, other = outbox_item(), outbox_item()

    def attempt(item_id: str, seconds: int, status: SyncStatus) -> SyncAttempt:
        failure = status is SyncStatus.RETRYING
        return SyncAttempt(
            id=new_id(), item_id=item_id, attempted_at=T0 + timedelta(seconds=seconds), status=status,
            http_status=503 if failure else 201, external_id=None if failure else "obs-1",
            error="service unavailable" if failure else None,
        )

    second, first = attempt(item.id, 30, SyncStatus.DELIVERED), attempt(item.id, 0, SyncStatus.RETRYING)
    async with uow:
        await uow.outbox.add(item)
        await uow.outbox.add(other)
        for a in (second, attempt(other.id, 10, SyncStatus.DEAD), first):
            await uow.outbox.add_attempt(a)
        await uow.commit()
    async with uow:
        assert list(await uow.outbox.attempts(item.id)) == [first, second]
        assert list(await uow.outbox.attempts(new_id())) == []


async def test_one_claim_takes_every_topic_asked_for_earlier_topics_first(uow: UnitOfWork) -> None:
    now = T0 + timedelta(minutes=10)
    old_push = outbox_item(due=T0)
    alert = outbox_item(due=now, topic=OutboxTopic.NOTIFY_ALERT, code=None)
    lab_order = outbox_item(due=T0 + timedelta(minutes=1), topic="lab.order", code=None)  # a topic of tomorrow
    withdrawal = outbox_item(due=T0, topic=OutboxTopic.EMR_WITHDRAW)
    async with uow:
        for item in (old_push, lab_order, withdrawal, alert):
            await uow.outbox.add(item)
        claimed = await uow.outbox.claim_due([OutboxTopic.NOTIFY_ALERT, "lab.order", OutboxTopic.EMR_PUSH], now, 3,
                                             "worker-a", LEASE)
        again = await uow.outbox.claim_due([OutboxTopic.EMR_WITHDRAW, OutboxTopic.EMR_PUSH], now, 10, "b", LEASE)
        await uow.commit()
    assert list(claimed) == [alert, lab_order, old_push]
    assert list(again) == [withdrawal]  # the others stay leased


async def test_recording_outcomes_saves_states_and_attempts_and_releases_claims(new_uow: UowFactory) -> None:
    items = [outbox_item(due=T0) for _ in range(3)]
    async with new_uow() as uow:
        await uow.outbox.add_many(items)
        claimed = await uow.outbox.claim_due(EMR, T0, 10, "worker-a", LEASE)
        await uow.commit()
    assert len(claimed) == 3
    done = delivered(items[0], T0 + timedelta(seconds=1), 201, "obs-1")
    retry = replace(items[1], status=SyncStatus.RETRYING, attempts=1, http_status=503, last_error="busy",
                    next_attempt_at=T0 + timedelta(seconds=2), updated_at=T0 + timedelta(seconds=1))
    waiting = replace(items[2], next_attempt_at=T0 + timedelta(seconds=5))  # deferred: no attempt
    attempts = [SyncAttempt(new_id(), i.id, T0 + timedelta(seconds=1), i.status, i.http_status, i.external_id,
                            i.last_error) for i in (done, retry)]
    async with new_uow() as uow:
        await uow.outbox.record_outcomes([done, retry, waiting], attempts)
        await uow.commit()
    async with new_uow() as uow:
        assert [await uow.outbox.get(i.id) for i in items] == [done, retry, waiting]
        assert [list(await uow.outbox.attempts(i.id)) for i in items] == [[attempts[0]], [attempts[1]], []]
        # claims released: each is claimable again as soon as it is due
        assert list(await uow.outbox.claim_due(EMR, T0 + timedelta(seconds=5), 10, "worker-b", LEASE)) == [
            retry, waiting]
