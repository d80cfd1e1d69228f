"""Races that only a real multi-connection Postgres can show: dedupe and outbox claims under load."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta, timezone
from typing import TypeVar

import pytest
from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.sql.tables import deliveries, outbox, readings
from adapters.sql.unit_of_work import SqlAlchemyUnitOfWork
from domain.ports import UnitOfWork
from domain.sync import OutboxTopic
from tests.integration.builders import T0, delivery, outbox_item, reading, seeded

pytestmark = pytest.mark.postgres
RACERS = 8
T = TypeVar("T")


@pytest.fixture
def engine(postgres_url: str, engine_factory: Callable[[str], AsyncEngine]) -> AsyncEngine:
    return engine_factory(postgres_url)


async def race(engine: AsyncEngine, racers: int, action: Callable[[UnitOfWork], Awaitable[T]]) -> list[T]:
    """Each racer opens its own transaction; all act at once, then each commits."""
    start = asyncio.Barrier(racers)

    async def racer() -> T:
        async with SqlAlchemyUnitOfWork(engine) as uow:
            await uow.patients.get("warm-up")  # the transaction holds a connection before the start
            await start.wait()
            result = await action(uow)
            await asyncio.sleep(0.05)  # keep the transaction open so that the racers overlap
            await uow.commit()
            return result

    return list(await asyncio.gather(*(racer() for _ in range(racers))))


async def count(engine: AsyncEngine, statement: Select[tuple[int]]) -> int:
    async with engine.connect() as connection:
        return int(await connection.scalar(statement) or 0)


async def test_concurrent_deliveries_with_one_webhook_id_store_exactly_one(engine: AsyncEngine) -> None:
    inserted = await race(engine, RACERS, lambda uow: uow.deliveries.add_if_new(delivery("msg_race")))

    assert sorted(inserted) == [False] * (RACERS - 1) + [True]
    rows = select(func.count()).select_from(deliveries).where(deliveries.c.webhook_id == "msg_race")
    assert await count(engine, rows) == 1


async def test_concurrent_readings_with_one_natural_key_store_exactly_one(engine: AsyncEngine) -> None:
    patient, cuff = await seeded(SqlAlchemyUnitOfWork(engine))

    def same_measurement(uow: UnitOfWork, n: int) -> Awaitable[bool]:
        # one instant, written with a different UTC offset by each racer
        measured_at = T0.astimezone(timezone(timedelta(hours=n - RACERS // 2)))
        return uow.readings.add_if_new(reading(cuff.id, patient.id, measured_at))

    turns = iter(range(RACERS))
    inserted = await race(engine, RACERS, lambda uow: same_measurement(uow, next(turns)))

    assert sorted(inserted) == [False] * (RACERS - 1) + [True]
    assert await count(engine, select(func.count()).select_from(readings)) == 1


async def test_concurrent_claimers_never_get_the_same_item(engine: AsyncEngine) -> None:
    items = [outbox_item(due=T0 - timedelta(seconds=n)) for n in range(40)]
    async with SqlAlchemyUnitOfWork(engine) as uow:
        for item in items:
            await uow.outbox.add(item)
        await uow.commit()

    owners = iter(f"worker-{n}" for n in range(4))
    claims = await race(
        engine, 4,
        lambda uow: uow.outbox.claim_due([OutboxTopic.EMR_PUSH], T0, 10, next(owners), timedelta(minutes=1)),
    )

    claimed = [item.id for batch in claims for item in batch]
    assert [len(batch) for batch in claims] == [10, 10, 10, 10]
    assert len(set(claimed)) == len(claimed) == 40
    leased = select(func.count(func.distinct(outbox.c.lease_owner))).where(outbox.c.lease_owner.isnot(None))
    assert await count(engine, leased) == 4


async def test_a_claimer_skips_rows_another_claimer_holds_instead_of_waiting(engine: AsyncEngine) -> None:
    items = [outbox_item(due=T0 - timedelta(seconds=n)) for n in range(4)]
    async with SqlAlchemyUnitOfWork(engine) as uow:
        for item in items:
            await uow.outbox.add(item)
        await uow.commit()

    async with SqlAlchemyUnitOfWork(engine) as holder, SqlAlchemyUnitOfWork(engine) as other:
        held = await holder.outbox.claim_due([OutboxTopic.EMR_PUSH], T0, 2, "holder", timedelta(minutes=1))
        # the holder has not committed: its rows are locked, and a waiting claim would time out here
        rest = await asyncio.wait_for(
            other.outbox.claim_due([OutboxTopic.EMR_PUSH], T0, 10, "other", timedelta(minutes=1)), timeout=5
        )
        await other.commit()
        await holder.commit()
    assert {i.id for i in held} | {i.id for i in rest} == {i.id for i in items}
    assert not {i.id for i in held} & {i.id for i in rest}
