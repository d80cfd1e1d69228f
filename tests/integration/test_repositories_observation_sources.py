"""Repository contract: what each reading's Observations need, in one read (fake, SQLite, Postgres)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from domain.observations import ObservationSource
from domain.ports import UnitOfWork
from domain.readings import ReadingStatus
from tests.integration.builders import EASTERN, T0, device, new_id, patient, reading


async def test_each_reading_comes_with_its_patients_emr_id_and_practice_and_its_devices_model(
    uow: UnitOfWork,
) -> None:
    ours, cuff = replace(patient(), practice_id="north"), replace(device(), model_number="BP-800")
    measured = reading(cuff.id, ours.id, T0.astimezone(EASTERN))
    withdrawn = reading(cuff.id, ours.id, T0 + timedelta(minutes=1), status=ReadingStatus.ENTERED_IN_ERROR)
    nobodys = reading(cuff.id, None, T0 + timedelta(minutes=2), status=ReadingStatus.QUARANTINED)
    async with uow:
        await uow.patients.add(ours)
        await uow.devices.add(cuff)
        for stored in (measured, withdrawn, nobodys):
            assert await uow.readings.add_if_new(stored)
        await uow.commit()
    async with uow:
        found = await uow.readings.observation_sources([measured.id, withdrawn.id, nobodys.id, new_id()])
        assert await uow.readings.observation_sources([]) == {}
    # the status is the caller's to judge; a reading without a patient has nothing to send
    assert dict(found) == {measured.id: ObservationSource(measured, ours.emr_patient_id, "north", "BP-800"),
                           withdrawn.id: ObservationSource(withdrawn, ours.emr_patient_id, "north", "BP-800")}
    assert found[measured.id].reading.measured_at.isoformat() == "2026-11-20T10:00:00-05:00"
