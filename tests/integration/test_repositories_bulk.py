"""Repository contract, part 4: the set-at-a-time methods a batch sync's page uses (fake, SQLite, Postgres)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

from domain.deliveries import DeliveryStatus
from domain.devices import Device
from domain.ports import UnitOfWork
from domain.readings import ReadingStatus
from tests.integration.builders import EASTERN, T0, assignment, delivery, device, patient, reading, seeded


async def test_many_readings_are_stored_unless_they_repeat_a_stored_one_or_one_earlier_in_the_list(
    uow: UnitOfWork,
) -> None:
    patient, cuff = await seeded(uow)
    at = [(T0 - timedelta(hours=h)).astimezone(EASTERN) for h in range(1, 4)]
    stored_before = reading(cuff.id, patient.id, at[0])
    async with uow:
        assert await uow.readings.add_if_new(stored_before)
        await uow.commit()
    fresh, repeat_of_stored = reading(cuff.id, patient.id, at[1]), reading(cuff.id, patient.id, at[0])
    repeat_in_list, other_slot = reading(cuff.id, patient.id, at[1]), reading(cuff.id, patient.id, at[1], slot="2")
    async with uow:
        added = await uow.readings.add_many_if_new([fresh, repeat_of_stored, repeat_in_list, other_slot])
        assert await uow.readings.add_many_if_new([]) == set()
        await uow.commit()
    assert added == {fresh.id, other_slot.id}
    async with uow:
        found = await uow.readings.get_many([fresh.id, repeat_of_stored.id, repeat_in_list.id, other_slot.id])
    assert set(found) == {fresh.id, other_slot.id}
    assert found[fresh.id] == fresh


async def test_many_deliveries_are_stored_once_per_webhook_id_and_saved_together(uow: UnitOfWork) -> None:
    known = delivery("msg_known")
    async with uow:
        await uow.deliveries.add_if_new(known)
        await uow.commit()
    first, again, other = delivery("msg_new"), delivery("msg_new"), delivery("msg_known")
    async with uow:
        added = await uow.deliveries.add_many_if_new([first, again, other])
        await uow.deliveries.save_many([replace(first, status=DeliveryStatus.REJECTED, reason="body is not JSON")])
        await uow.deliveries.save_many([])
        await uow.commit()
    assert added == {first.id}
    async with uow:
        saved = await uow.deliveries.by_webhook_id("mioconnect", "msg_new")
        kept = await uow.deliveries.by_webhook_id("mioconnect", "msg_known")
    assert saved is not None
    assert (saved.id, saved.status, saved.reason, saved.body) == (
        first.id, DeliveryStatus.REJECTED, "body is not JSON", first.body)
    assert kept == known


async def test_deliveries_are_stored_with_the_new_readings_of_those_stored_only(uow: UnitOfWork) -> None:
    patient, cuff = await seeded(uow)
    at = [(T0 - timedelta(hours=h)).astimezone(EASTERN) for h in range(1, 5)]
    known, recorded = delivery("msg_known"), reading(cuff.id, patient.id, at[0])
    async with uow:
        await uow.deliveries.add_if_new(known)
        assert await uow.readings.add_if_new(recorded)
        await uow.commit()
    new, again, repeat, late = delivery("msg_new"), delivery("msg_new"), delivery("msg_known"), delivery()
    kept = reading(cuff.id, patient.id, at[1], delivery_id=new.id)
    of_again = reading(cuff.id, patient.id, at[2], delivery_id=again.id)
    of_repeat = reading(cuff.id, patient.id, at[3], delivery_id=repeat.id)
    recorded_again = reading(cuff.id, patient.id, at[0], delivery_id=late.id)
    async with uow:
        stored, added = await uow.readings.add_many_with_deliveries(
            [new, again, repeat, late], [kept, of_again, of_repeat, recorded_again])
        assert await uow.readings.add_many_with_deliveries([], []) == (set(), set())
        await uow.commit()
    assert (stored, added) == ({new.id, late.id}, {kept.id})
    async with uow:
        found = await uow.readings.get_many([kept.id, of_again.id, of_repeat.id, recorded_again.id])
        late_kept = await uow.deliveries.by_webhook_id("mioconnect", late.webhook_id)
    assert list(found) == [kept.id]
    assert found[kept.id] == kept
    assert late_kept == late


async def test_a_lone_delivery_is_stored_with_its_reading_and_one_without_a_reading_alone(uow: UnitOfWork) -> None:
    patient, cuff = await seeded(uow)
    lone, first, again = delivery(), delivery("msg_alone"), delivery("msg_alone")
    its_reading = reading(cuff.id, patient.id, T0.astimezone(EASTERN), delivery_id=lone.id)
    async with uow:
        assert await uow.readings.add_many_with_deliveries([lone], [its_reading]) == ({lone.id}, {its_reading.id})
        assert await uow.readings.add_many_with_deliveries([first, again], []) == ({first.id}, set())
        await uow.commit()
    async with uow:
        assert await uow.deliveries.by_webhook_id("mioconnect", "msg_alone") == first
        assert await uow.readings.get_many([its_reading.id]) == {its_reading.id: its_reading}


async def test_devices_are_found_by_gateway_ids_with_their_assignment_histories(uow: UnitOfWork) -> None:
    patient, cuff = await seeded(uow)
    scale, unassigned = device(), device()
    later = assignment(cuff.id, patient.id, T0 + timedelta(days=1), slot="2")
    earlier = assignment(cuff.id, patient.id, T0)
    async with uow:
        for d in (scale, unassigned):
            await uow.devices.add(d)
        for a in (later, earlier, assignment(scale.id, patient.id)):
            await uow.devices.add_assignment(a)
        await uow.commit()
    async with uow:
        found = await uow.devices.by_gateway_ids([cuff.gateway_device_id, unassigned.gateway_device_id, "86000"])
        histories = await uow.devices.assignments_of_devices([cuff.id, unassigned.id])
        assert await uow.devices.by_gateway_ids([]) == {}
    assert found == {cuff.gateway_device_id: cuff, unassigned.gateway_device_id: unassigned}
    assert list(histories) == [cuff.id]  # the device without an assignment is left out
    assert [a.id for a in histories[cuff.id]] == [earlier.id, later.id]  # oldest first


async def test_what_the_intake_knows_of_a_page_s_devices_is_read_together(uow: UnitOfWork) -> None:
    patient_, cuff = await seeded(uow)
    other = patient()
    scale, unassigned = device(), device()
    later = assignment(cuff.id, other.id, T0 + timedelta(days=1), slot="2")
    earlier = assignment(cuff.id, patient_.id, T0)
    on_scale = assignment(scale.id, patient_.id)
    async with uow:
        await uow.patients.add(other)
        for d in (scale, unassigned):
            await uow.devices.add(d)
        for a in (later, earlier, on_scale):
            await uow.devices.add_assignment(a)
        await uow.thresholds.save(patient_.id, {"systolic_stage2_from": Decimal("150.5")}, T0)
        await uow.commit()
    async with uow:
        known = await uow.devices.known_for_intake(
            [cuff.gateway_device_id, unassigned.gateway_device_id, cuff.gateway_device_id, "86000"])
        nothing = await uow.devices.known_for_intake([])
    assert known.devices == {cuff.gateway_device_id: cuff, unassigned.gateway_device_id: unassigned}
    assert list(known.histories) == [cuff.id]  # the scale was not asked for; the unassigned device has no history
    assert list(known.histories[cuff.id]) == [earlier, later]  # oldest first, each assignment as stored
    # every patient of those histories, with or without overrides of their own
    assert known.overrides == {patient_.id: {"systolic_stage2_from": Decimal("150.5")}, other.id: {}}
    assert (nothing.devices, nothing.histories, nothing.overrides) == ({}, {}, {})


async def cuff_and_scale(uow: UnitOfWork) -> tuple[Device, Device]:
    """The seeded patient's cuff, and a scale stored beside it."""
    _, cuff = await seeded(uow)
    scale = device()
    async with uow:
        await uow.devices.add(scale)
        await uow.commit()
    return cuff, scale


async def test_what_many_devices_report_is_stored_together_and_never_who_owns_them(uow: UnitOfWork) -> None:
    cuff, scale = await cuff_and_scale(uow)
    seen = T0 + timedelta(days=2)
    as_read = {d.id: d for d in (cuff, scale)}  # read before a registration lands in between
    async with uow:
        await uow.devices.save(replace(scale, registered_at=seen, practice_id="north"))
        await uow.commit()
    async with uow:
        await uow.devices.observe_many([
            replace(as_read[cuff.id], last_seen_at=seen, battery_percent=41, firmware="2.1.8"),
            replace(as_read[scale.id], last_seen_at=seen, signal_bars=3),
        ])
        await uow.devices.observe_many([replace(as_read[cuff.id], last_seen_at=T0, battery_percent=41,
                                                firmware="2.1.8")])  # an older report: last seen stays
        await uow.commit()
    async with uow:
        found = await uow.devices.get_many([cuff.id, scale.id])
    assert {d.last_seen_at for d in found.values()} == {seen}
    assert (found[cuff.id].battery_percent, found[cuff.id].firmware) == (41, "2.1.8")
    assert (found[scale.id].signal_bars, found[scale.id].registered_at, found[scale.id].practice_id) == (
        3, seen, "north")


async def test_devices_heard_at_different_times_together_each_keep_their_own(uow: UnitOfWork) -> None:
    cuff, scale = await cuff_and_scale(uow)
    heard = {cuff.id: T0 + timedelta(days=1), scale.id: T0 + timedelta(days=2)}
    async with uow:
        await uow.devices.observe_many([replace(d, last_seen_at=heard[d.id]) for d in (cuff, scale)])
        await uow.commit()
    async with uow:
        found = await uow.devices.get_many([cuff.id, scale.id])
    assert {device_id: d.last_seen_at for device_id, d in found.items()} == heard


async def test_what_a_device_did_not_report_stays_as_stored(uow: UnitOfWork) -> None:
    _, cuff = await seeded(uow)
    seen = T0 + timedelta(days=2)
    async with uow:  # readings only: nothing of battery, signal or firmware (a status report may have landed)
        await uow.devices.observe_many([
            replace(cuff, last_seen_at=seen, battery_percent=None, signal_bars=None, firmware=None)])
        await uow.commit()
    async with uow:
        found = await uow.devices.get(cuff.id)
    assert found is not None
    assert (found.last_seen_at, found.battery_percent, found.signal_bars, found.firmware) == (
        seen, cuff.battery_percent, cuff.signal_bars, cuff.firmware)


async def test_thresholds_of_several_patients_are_read_at_once(uow: UnitOfWork) -> None:
    patient, _ = await seeded(uow)
    other, _ = await seeded(uow)
    async with uow:
        await uow.thresholds.save(patient.id, {"systolic_stage2_from": Decimal("130.5")}, T0)
        await uow.commit()
    async with uow:
        found = await uow.thresholds.get_many([patient.id, other.id])
    assert found == {patient.id: {"systolic_stage2_from": Decimal("130.5")}}


async def test_a_seen_device_is_created_on_first_contact_and_its_last_seen_time_only_moves_up(
    uow: UnitOfWork,
) -> None:
    first = replace(device(), registered_at=None, first_seen_at=T0, last_seen_at=T0)
    later = replace(device(first.gateway_device_id), first_seen_at=T0 + timedelta(hours=2),
                    last_seen_at=T0 + timedelta(hours=2))
    earlier = replace(later, id=device().id, last_seen_at=T0 + timedelta(hours=1))
    async with uow:
        created = await uow.devices.seen(first)
        moved = await uow.devices.seen(later)
        kept = await uow.devices.seen(earlier)
        await uow.commit()
    assert created == first
    assert moved == replace(first, last_seen_at=T0 + timedelta(hours=2))  # the first one's id and first contact
    assert kept == moved
    async with uow:
        assert await uow.devices.by_gateway_ids([first.gateway_device_id]) == {first.gateway_device_id: moved}


async def test_a_page_keeps_text_bytes_times_and_json_exactly_as_given(uow: UnitOfWork) -> None:
    """Quotes, backslashes, non-ASCII text, every byte value, a JSON-looking string and an offset time
    come back exactly as they went in through the page inserts, whatever encoding a database adapter uses."""
    patient, cuff = await seeded(uow)
    awkward = 'say "hi" \\ \n\t é 😀 {"a": null} \u2028'
    odd = replace(delivery(f"msg_{awkward}"), body=bytes(range(256)) * 2, reason=awkward,
                  received_at=(T0 + timedelta(microseconds=1)).astimezone(EASTERN))
    measured = replace(reading(cuff.id, patient.id, (T0 - timedelta(hours=1)).astimezone(EASTERN),
                               status=ReadingStatus.DISCARDED, slot='"\\é😀\n'), reason=awkward)
    measured = replace(measured, measurement=replace(measured.measurement, context={awkward: awkward, "n": "1"}))
    async with uow:
        assert await uow.deliveries.add_many_if_new([odd]) == {odd.id}
        assert await uow.readings.add_many_if_new([measured]) == {measured.id}
        await uow.commit()
    async with uow:
        kept = await uow.deliveries.by_webhook_id("mioconnect", odd.webhook_id)
        found = await uow.readings.get_many([measured.id])
    assert kept == odd
    assert found[measured.id] == measured
