"""The in-memory readings repository, on one transaction's snapshot of the tables."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from adapters.fakes.repositories import InMemoryDeliveryRepository, InMemoryRepository
from domain.deliveries import Delivery
from domain.observations import ObservationSource
from domain.quarantine import QuarantinedSlot
from domain.readings import Reading, ReadingStatus


class InMemoryReadingRepository(InMemoryRepository):
    async def add_if_new(self, reading: Reading) -> bool:
        key = _natural_key(reading)
        if any(_natural_key(r) == key for r in self._t.readings.values()):
            return False
        self._t.readings[reading.id] = reading
        return True

    async def add_many_if_new(self, readings: Sequence[Reading]) -> set[str]:
        return {reading.id for reading in readings if await self.add_if_new(reading)}

    async def add_many_with_deliveries(
        self, deliveries: Sequence[Delivery], readings: Sequence[Reading]
    ) -> tuple[set[str], set[str]]:
        stored = await InMemoryDeliveryRepository(self._t).add_many_if_new(deliveries)
        return stored, await self.add_many_if_new([r for r in readings if r.delivery_id in stored])

    async def save(self, reading: Reading) -> None:
        self._t.readings[reading.id] = reading

    async def get(self, reading_id: str) -> Reading | None:
        return self._t.readings.get(reading_id)

    async def get_many(self, ids: Sequence[str]) -> Mapping[str, Reading]:
        return {i: self._t.readings[i] for i in ids if i in self._t.readings}

    async def observation_sources(self, ids: Sequence[str]) -> Mapping[str, ObservationSource]:
        found = {}
        for reading in (await self.get_many(ids)).values():
            patient = self._t.patients.get(reading.patient_id or "")
            device = self._t.devices.get(reading.device_id)
            if patient is not None and device is not None:
                found[reading.id] = ObservationSource(reading, patient.emr_patient_id, patient.practice_id,
                                                      device.model_number)
        return found

    async def for_patient(
        self, patient_id: str, offset: int, limit: int
    ) -> tuple[Sequence[Reading], int]:
        found = [r for r in self._t.readings.values() if r.patient_id == patient_id]
        found.sort(key=lambda r: (r.measured_at, r.id), reverse=True)
        return found[offset : offset + limit], len(found)

    async def between(self, patient_id: str, start: datetime, end: datetime) -> Sequence[Reading]:
        found = [r for r in self._t.readings.values() if r.patient_id == patient_id
                 and r.status is ReadingStatus.ACCEPTED and start <= r.measured_at < end]
        return sorted(found, key=lambda r: (r.measured_at, r.id))

    async def quarantined(self, device_id: str, user_slot: str, since: datetime) -> Sequence[Reading]:
        found = [
            r for r in self._t.readings.values()
            if r.status is ReadingStatus.QUARANTINED and r.device_id == device_id
            and r.user_slot == user_slot and r.measured_at >= since
        ]
        return sorted(found, key=lambda r: (r.measured_at, r.id))

    async def quarantined_slots(
        self, offset: int, limit: int, practice_id: str | None = None, device_id: str | None = None
    ) -> tuple[Sequence[QuarantinedSlot], int]:
        slots: dict[tuple[str, str], list[datetime]] = {}
        for r in self._t.readings.values():
            device = self._t.devices.get(r.device_id)
            if r.status is ReadingStatus.QUARANTINED and device_id in (None, r.device_id) and (
                    practice_id is None or (device is not None and device.practice_id == practice_id)):
                slots.setdefault((r.device_id, r.user_slot), []).append(r.measured_at)
        found = [QuarantinedSlot(d, s, len(times), min(times), max(times)) for (d, s), times in slots.items()]
        found.sort(key=lambda q: (-q.last_measured_at.timestamp(), q.device_id, q.user_slot))
        return found[offset : offset + limit], len(found)


def _natural_key(reading: Reading) -> tuple[str, str, datetime, str]:
    return (reading.device_id, reading.user_slot, reading.measured_at, reading.kind.value)
