"""Committed outbox rows wake listening workers through Postgres LISTEN/NOTIFY; rolled-back ones do not."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from adapters.sql.engine import create_engine
from adapters.sql.notify import OutboxListener
from adapters.sql.unit_of_work import SqlAlchemyUnitOfWork
from domain.sync import OutboxItem, OutboxTopic, SyncStatus

pytestmark = pytest.mark.postgres


def _item(n: int) -> OutboxItem:
    now = datetime.now(UTC)
    return OutboxItem(f"notify-{n}", OutboxTopic.NOTIFY_ALERT, SyncStatus.PENDING, now, now, now)


async def test_a_commit_wakes_the_listener_and_a_rollback_does_not(postgres_url: str) -> None:
    woken = asyncio.Event()
    listener = OutboxListener(postgres_url, woken.set)
    await listener.start()
    engine = create_engine(postgres_url)
    try:
        async with SqlAlchemyUnitOfWork(engine) as uow:
            await uow.outbox.add(_item(1))  # left without commit: rolled back
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(woken.wait(), 0.5)
        async with SqlAlchemyUnitOfWork(engine) as uow:
            await uow.outbox.add(_item(2))
            await uow.commit()
        await asyncio.wait_for(woken.wait(), 5)
    finally:
        await listener.stop()
        await engine.dispose()
