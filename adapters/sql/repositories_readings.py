"""Readings and raw deliveries over one AsyncConnection."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.sql import mapping as m
from adapters.sql.observation_sources import observation_sources
from adapters.sql.statements import (
    fetch_all,
    fetch_among,
    fetch_one,
    insert_if_new,
    insert_many_if_new,
    insert_statement,
    upsert,
    upsert_many,
)
from adapters.sql.tables import deliveries, devices, failed_deliveries, readings
from domain.deliveries import Delivery, FailedDelivery
from domain.observations import ObservationSource
from domain.quarantine import QuarantinedSlot
from domain.readings import Reading, ReadingStatus

_NATURAL_KEY = ("device_id", "user_slot", "measured_at_utc", "kind")
_WEBHOOK_KEY = ("source", "webhook_id")


class SqlReadingRepository:
    """ReadingRepository on `readings`; the natural key compares instants, not wall-clock times."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._c = connection

    async def add_if_new(self, reading: Reading) -> bool:
        return await insert_if_new(self._c, readings, m.reading_row(reading), _NATURAL_KEY)

    async def add_many_if_new(self, many: Sequence[Reading]) -> set[str]:
        return await insert_many_if_new(self._c, readings, [m.reading_row(r) for r in many], _NATURAL_KEY)

    async def add_many_with_deliveries(
        self, many_deliveries: Sequence[Delivery], many: Sequence[Reading]
    ) -> tuple[set[str], set[str]]:
        stored = await SqlDeliveryRepository(self._c).add_many_if_new(many_deliveries)
        return stored, await self.add_many_if_new([r for r in many if r.delivery_id in stored])

    async def save(self, reading: Reading) -> None:
        await upsert(self._c, readings, m.reading_row(reading))

    async def get(self, reading_id: str) -> Reading | None:
        row = await fetch_one(self._c, readings, readings.c.id == reading_id)
        return m.reading_of(row) if row else None

    async def get_many(self, ids: Sequence[str]) -> Mapping[str, Reading]:
        rows = await fetch_among(self._c, readings, "id", ids)
        return {row["id"]: m.reading_of(row) for row in rows}

    async def observation_sources(self, ids: Sequence[str]) -> Mapping[str, ObservationSource]:
        return await observation_sources(self._c, ids)

    async def for_patient(
        self, patient_id: str, offset: int, limit: int
    ) -> tuple[Sequence[Reading], int]:
        t = readings
        page = await self._c.execute(
            select(t).where(t.c.patient_id == patient_id)
            .order_by(t.c.measured_at_utc.desc(), t.c.id.desc()).offset(offset).limit(limit)
        )
        total = await self._c.scalar(select(func.count()).select_from(t).where(t.c.patient_id == patient_id))
        return [m.reading_of(row) for row in page.mappings()], int(total or 0)

    async def between(self, patient_id: str, start: datetime, end: datetime) -> Sequence[Reading]:
        t = readings
        rows = await fetch_all(
            self._c, t,
            t.c.patient_id == patient_id, t.c.status == ReadingStatus.ACCEPTED.value,
            t.c.measured_at_utc >= start, t.c.measured_at_utc < end,
            order_by=(t.c.measured_at_utc, t.c.id),
        )
        return [m.reading_of(row) for row in rows]

    async def quarantined(self, device_id: str, user_slot: str, since: datetime) -> Sequence[Reading]:
        t = readings
        rows = await fetch_all(
            self._c, t,
            t.c.status == ReadingStatus.QUARANTINED.value, t.c.device_id == device_id,
            t.c.user_slot == user_slot, t.c.measured_at_utc >= since,
            order_by=(t.c.measured_at_utc, t.c.id),
        )
        return [m.reading_of(row) for row in rows]

    async def quarantined_slots(
        self, offset: int, limit: int, practice_id: str | None = None, device_id: str | None = None
    ) -> tuple[Sequence[QuarantinedSlot], int]:
        t = readings
        where = [t.c.status == ReadingStatus.QUARANTINED.value]
        if device_id is not None:
            where.append(t.c.device_id == device_id)
        if practice_id is not None:
            where.append(t.c.device_id.in_(select(devices.c.id).where(devices.c.practice_id == practice_id)))
        last = func.max(t.c.measured_at_utc)
        slots = (select(t.c.device_id, t.c.user_slot, func.count().label("readings"),
                        func.min(t.c.measured_at_utc).label("first"), last.label("last"))
                 .where(*where).group_by(t.c.device_id, t.c.user_slot))
        ordered = slots.order_by(last.desc(), t.c.device_id, t.c.user_slot)
        page = await self._c.execute(ordered.offset(offset).limit(limit))
        total = await self._c.scalar(select(func.count()).select_from(slots.subquery()))
        found = [QuarantinedSlot(row.device_id, row.user_slot, row.readings, row.first, row.last) for row in page]
        return found, int(total or 0)


class SqlDeliveryRepository:
    """DeliveryRepository on `deliveries`, unique per (source, webhook id)."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._c = connection

    async def add_if_new(self, delivery: Delivery) -> bool:
        return await insert_if_new(self._c, deliveries, m.delivery_row(delivery), _WEBHOOK_KEY)

    async def add_many_if_new(self, many: Sequence[Delivery]) -> set[str]:
        return await insert_many_if_new(self._c, deliveries, [m.delivery_row(d) for d in many], _WEBHOOK_KEY)

    async def save(self, delivery: Delivery) -> None:
        await upsert(self._c, deliveries, m.delivery_row(delivery))

    async def save_many(self, many: Sequence[Delivery]) -> None:
        await upsert_many(self._c, deliveries, [m.delivery_row(d) for d in many])

    async def by_webhook_id(self, source: str, webhook_id: str) -> Delivery | None:
        t = deliveries
        row = await fetch_one(self._c, t, t.c.source == source, t.c.webhook_id == webhook_id)
        return m.delivery_of(row) if row else None

    async def add_failed(self, failed: FailedDelivery) -> None:
        await self._c.execute(insert_statement(failed_deliveries), vars(failed))
