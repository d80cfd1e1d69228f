"""The intake's page on every unit of work (fake, SQLite, Postgres): each delivery is kept once, with what
became of it, and rows whose columns share a value are stored as faithfully as rows whose columns differ."""

from __future__ import annotations

from datetime import timedelta

from adapters.system.clock import UuidGenerator
from application.intake import IntakePage
from application.triage_reading import TriagePolicy, TriageReading
from domain.deliveries import DeliveryStatus, IncomingDelivery, Malformed
from domain.intake import ALREADY_RECORDED, UNASSIGNED
from domain.ports import UnitOfWork
from domain.readings import ReadingStatus
from tests.integration.builders import EASTERN, T0, assignment, reading, seeded
from tests.unit.conftest import bp


async def test_each_delivery_is_kept_with_its_outcome_and_a_reading_sent_again_as_a_duplicate(
    uow: UnitOfWork,
) -> None:
    patient, cuff = await seeded(uow)
    async with uow:
        await uow.devices.add_assignment(assignment(cuff.id, patient.id, T0 - timedelta(days=30)))
        await uow.commit()
    at = T0 - timedelta(hours=1)
    sent = [("msg_a", bp(at=at, device=cuff.gateway_device_id)),
            ("msg_b", bp(at=at, device=cuff.gateway_device_id)),  # the same reading under another webhook id
            ("msg_c", bp(at=at, device=cuff.gateway_device_id, slot="2")),  # nobody's slot: quarantined
            ("msg_d", Malformed("body is not JSON"))]
    ids = UuidGenerator()
    async with uow:
        page = IntakePage(uow, ids, TriageReading(ids, TriagePolicy()), T0)
        outcomes = await page.take_in([IncomingDelivery("mioconnect", w, w.encode(), m) for w, m in sent])
        await uow.commit()
    async with uow:
        kept = [await uow.deliveries.by_webhook_id("mioconnect", webhook_id) for webhook_id, _ in sent]
    assert [(d.status, d.reason, d.reading_id) for d in kept if d] == [
        (o.status, o.reason, o.reading_id) for o in outcomes]
    assert [(o.status, o.reason) for o in outcomes] == [
        (DeliveryStatus.ACCEPTED, None), (DeliveryStatus.DUPLICATE, ALREADY_RECORDED),
        (DeliveryStatus.QUARANTINED, UNASSIGNED), (DeliveryStatus.REJECTED, "body is not JSON")]
    assert outcomes[1].reading_id is None


async def test_a_page_of_readings_sharing_some_values_reads_back_as_written(uow: UnitOfWork) -> None:
    patient, cuff = await seeded(uow)
    at = [(T0 - timedelta(hours=h)).astimezone(EASTERN) for h in range(1, 4)]
    alike = [reading(cuff.id, patient.id, moment) for moment in at[:2]]  # all but id and time the same
    unlike = reading(cuff.id, None, at[2], status=ReadingStatus.QUARANTINED)
    async with uow:
        assert await uow.readings.add_many_if_new([*alike, unlike]) == {r.id for r in [*alike, unlike]}
        await uow.commit()
    async with uow:
        found = await uow.readings.get_many([r.id for r in [*alike, unlike]])
    assert found == {r.id: r for r in [*alike, unlike]}
