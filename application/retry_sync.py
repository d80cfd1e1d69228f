"""RetrySyncItem: an administrator sends a dead EMR push (or alert push) again."""

from __future__ import annotations

from application.auditing import Auditor
from application.context import Actor
from domain.errors import Conflict, NotFound
from domain.ports import Clock, UnitOfWork
from domain.sync import OutboxItem, SyncStatus, requeued


class RetrySyncItem:
    def __init__(self, uow: UnitOfWork, clock: Clock, auditor: Auditor) -> None:
        self._uow = uow
        self._clock = clock
        self._auditor = auditor

    async def __call__(self, actor: Actor, item_id: str) -> OutboxItem:
        async with self._uow as uow:
            item = await uow.outbox.get(item_id)
            if item is None:
                raise NotFound("sync item", item_id)
            if item.status is not SyncStatus.DEAD:
                raise Conflict(f"only dead items can be retried; this one is {item.status.value}")
            again = requeued(item, self._clock.now())
            await uow.outbox.save(again)
            await uow.commit()
        await self._auditor.record(actor, "sync.retry", "SyncItem", [item_id, item.reading_id or ""])
        return again
