"""The outbox and its sync attempts, with leases so that several workers never double-send."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.sql import mapping as m
from adapters.sql.notify import notify_outbox
from adapters.sql.statements import fetch_all, fetch_one, insert_statement, upsert
from adapters.sql.tables import outbox, sync_attempts
from domain.sync import OutboxItem, OutboxTopic, SyncAttempt, SyncStatus

_CLAIMABLE = (SyncStatus.PENDING.value, SyncStatus.RETRYING.value)


class SqlOutboxRepository:
    """OutboxRepository on `outbox` and `sync_attempts`; leases live in lease_owner/lease_until."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._c = connection
        self._notified: set[str] = set()  # this transaction's topics: one NOTIFY each is enough

    async def add(self, item: OutboxItem) -> None:
        await self.add_many([item])

    async def add_many(self, items: Sequence[OutboxItem]) -> None:
        if not items:
            return
        await self._c.execute(insert_statement(outbox), [m.outbox_row(item) for item in items])
        for topic in dict.fromkeys(item.topic.value for item in items):
            if topic not in self._notified:
                self._notified.add(topic)
                await notify_outbox(self._c, topic)

    async def save(self, item: OutboxItem) -> None:
        await upsert(self._c, outbox, {**m.outbox_row(item), "lease_owner": None, "lease_until": None})

    async def get(self, item_id: str) -> OutboxItem | None:
        row = await fetch_one(self._c, outbox, outbox.c.id == item_id)
        return m.outbox_of(row) if row else None

    async def claim_due(
        self, topic: OutboxTopic, now: datetime, limit: int, owner: str, lease: timedelta
    ) -> Sequence[OutboxItem]:
        t = outbox
        due = (
            select(t)
            .where(
                t.c.topic == topic.value, t.c.status.in_(_CLAIMABLE), t.c.next_attempt_at <= now,
                or_(t.c.lease_until.is_(None), t.c.lease_until <= now),
            )
            .order_by(t.c.next_attempt_at, t.c.id)
            .limit(limit)
        )
        if self._c.dialect.name == "postgresql":
            # rows another worker is claiming right now are skipped, not waited for
            due = due.with_for_update(skip_locked=True)
        rows = (await self._c.execute(due)).mappings().all()
        if not rows:
            return []
        await self._c.execute(
            update(t).where(t.c.id.in_([row["id"] for row in rows]))
            .values(lease_owner=owner, lease_until=now + lease)
        )
        return [m.outbox_of(row) for row in rows]

    async def for_patient(self, patient_id: str) -> Sequence[OutboxItem]:
        t = outbox
        rows = await fetch_all(
            self._c, t, t.c.patient_id == patient_id, t.c.topic == OutboxTopic.EMR_PUSH.value,
            order_by=(t.c.created_at.desc(), t.c.id.desc()),
        )
        return [m.outbox_of(row) for row in rows]

    async def for_reading(self, reading_id: str) -> Sequence[OutboxItem]:
        t = outbox
        rows = await fetch_all(
            self._c, t, t.c.reading_id == reading_id, order_by=(t.c.created_at, func.coalesce(t.c.code, ""))
        )
        return [m.outbox_of(row) for row in rows]

    async def backlog(self) -> Sequence[tuple[str, int, datetime | None]]:
        waiting = outbox.c.status.in_([SyncStatus.PENDING.value, SyncStatus.RETRYING.value])
        rows = await self._c.execute(
            select(outbox.c.topic, func.count(), func.min(outbox.c.created_at)).where(waiting).group_by(outbox.c.topic))
        found = {str(topic): (int(count), oldest) for topic, count, oldest in rows.all()}
        return [(t.value, *found.get(t.value, (0, None))) for t in OutboxTopic]

    async def add_attempt(self, attempt: SyncAttempt) -> None:
        await self._c.execute(insert_statement(sync_attempts), m.attempt_row(attempt))

    async def attempts(self, item_id: str) -> Sequence[SyncAttempt]:
        t = sync_attempts
        rows = await fetch_all(self._c, t, t.c.item_id == item_id, order_by=(t.c.attempted_at, t.c.id))
        return [m.attempt_of(row) for row in rows]
