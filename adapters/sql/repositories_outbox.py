"""The outbox and its sync attempts, with leases so that several workers never double-send."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import BindParameter, ColumnElement, and_, bindparam, case, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.sql import mapping as m
from adapters.sql.notify import notify_outbox
from adapters.sql.statements import fetch_all, fetch_one, insert_statement, upsert
from adapters.sql.tables import outbox, sync_attempts
from domain.sync import OutboxItem, OutboxTopic, SyncAttempt, SyncStatus, in_fair_order

_CLAIMABLE = (SyncStatus.PENDING.value, SyncStatus.RETRYING.value)
CLAIMERS = 8  # concurrent claims that each still find a full batch among the fair order's first items
_OUTCOME = ("status", "attempts", "http_status", "external_id", "last_error", "updated_at", "next_attempt_at")


def _typed(name: str) -> BindParameter[Any]:
    return bindparam(f"v_{name}", type_=outbox.c[name].type)


# built once: an item's outcome by id, its claim released (executed with one parameter set per item)
_RECORD = (update(outbox).where(outbox.c.id == _typed("id"))
           .values({**{name: _typed(name) for name in _OUTCOME}, "lease_owner": None, "lease_until": None}))


@lru_cache(maxsize=32)
def _claim_statement(dialect: str, topics: tuple[str, ...], limited: int) -> Any:
    """UPDATE ... WHERE id IN (due ids in fair order, SKIP LOCKED on Postgres) RETURNING: lease and read in
    one trip. Due items are numbered per practice (ROW_NUMBER, by topic then due time), and the first
    `claim_limit` of that numbering taken: every practice's first item, then every one's second, ...
    Practices without room (`full_{n}`, per topic) are left out; of the `limited` ones with some room
    (`room_topic_{i}`, `room_practice_{i}`, `room_most_{i}`) only each topic's first items are kept."""
    candidate, locked = outbox.alias("candidate"), outbox.alias("claimable")
    now = bindparam("now", type_=outbox.c.next_attempt_at.type)
    rank = case({topic: n for n, topic in enumerate(topics)}, value=candidate.c.topic)
    awake = [or_(candidate.c.topic != topic, candidate.c.practice_id.is_(None),
                 candidate.c.practice_id.not_in(bindparam(f"full_{n}", expanding=True)))
             for n, topic in enumerate(topics)]
    turn = func.row_number().over(partition_by=candidate.c.practice_id,
                                  order_by=(rank, candidate.c.next_attempt_at, candidate.c.id))
    numbered = (select(candidate.c.id, candidate.c.topic, candidate.c.practice_id, turn.label("turn"),
                       rank.label("rank"), candidate.c.next_attempt_at)
                .where(*_due(candidate, topics, now), *awake).subquery("numbered"))
    limit: BindParameter[int] = bindparam("claim_limit")
    fair = (numbered.c.turn, numbered.c.rank, numbered.c.next_attempt_at, numbered.c.id)
    # a few batches' worth of the fair order: what concurrent claimers share (each skips what another
    # holds), and few enough that joining it back costs little however stale the table's statistics are
    ranked = select(numbered).order_by(*fair).limit(bindparam("candidates")).subquery("ranked")
    if limited:
        ranked = _within_room(ranked, limited)
    picked = (
        select(locked.c.id).join(ranked, ranked.c.id == locked.c.id)
        # checked again on the row itself: Postgres re-reads a row another claim changed meanwhile
        .where(*_due(locked, topics, now))
        .order_by(ranked.c.turn, ranked.c.rank, ranked.c.next_attempt_at, ranked.c.id)
        .limit(limit)
    )
    if dialect == "postgresql":
        # rows another worker is claiming right now are skipped, not waited for
        picked = picked.with_for_update(skip_locked=True, of=locked)
    until = bindparam("until", type_=outbox.c.lease_until.type)
    return (update(outbox).where(outbox.c.id.in_(picked))
            .values(lease_owner=bindparam("owner"), lease_until=until).returning(*outbox.c))


def _within_room(ranked: Any, limited: int) -> Any:
    """The candidates, less those beyond their practice's room for their topic."""
    most = case(*((and_(ranked.c.topic == bindparam(f"room_topic_{i}"),
                        ranked.c.practice_id == bindparam(f"room_practice_{i}")), bindparam(f"room_most_{i}"))
                  for i in range(limited)), else_=None)
    nth = func.row_number().over(partition_by=(ranked.c.practice_id, ranked.c.topic), order_by=ranked.c.turn)
    counted = select(ranked, nth.label("nth"), most.label("most")).subquery("counted")
    kept = or_(counted.c.most.is_(None), counted.c.nth <= counted.c.most)
    return select(*(counted.c[column.name] for column in ranked.c)).where(kept).subquery("kept")


def _room_parameters(topics: tuple[str, ...], room: Mapping[str, Mapping[str, int]]) -> tuple[int, dict[str, Any]]:
    """The claim statement's room parameters: per topic, the practices without room (`full_{n}`), and each
    practice with some (`room_topic_{i}`, `room_practice_{i}`, `room_most_{i}`); and how many of those."""
    values: dict[str, Any] = {}
    limited = 0
    for n, topic in enumerate(topics):
        values[f"full_{n}"] = sorted(practice for practice, most in room.get(topic, {}).items() if most <= 0)
        for practice, most in sorted(room.get(topic, {}).items()):
            if most > 0:
                values |= {f"room_topic_{limited}": topic, f"room_practice_{limited}": practice,
                           f"room_most_{limited}": most}
                limited += 1
    return limited, values


def _due(t: Any, topics: tuple[str, ...], now: BindParameter[Any]) -> list[ColumnElement[bool]]:
    return [t.c.topic.in_(topics), t.c.status.in_(_CLAIMABLE), t.c.next_attempt_at <= now,
            or_(t.c.lease_until.is_(None), t.c.lease_until <= now)]


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
        fresh = self._unannounced(items)
        await self._c.execute(insert_statement(outbox), [m.outbox_row(item) for item in items])
        for topic in fresh:
            await notify_outbox(self._c, topic)

    def _unannounced(self, items: Sequence[OutboxItem]) -> list[str]:
        """The items' topics not yet notified in this transaction, now counted as notified."""
        fresh = [topic for topic in dict.fromkeys(str(item.topic) for item in items) if topic not in self._notified]
        self._notified.update(fresh)
        return fresh

    async def save(self, item: OutboxItem) -> None:
        await upsert(self._c, outbox, {**m.outbox_row(item), "lease_owner": None, "lease_until": None})

    async def get(self, item_id: str) -> OutboxItem | None:
        row = await fetch_one(self._c, outbox, outbox.c.id == item_id)
        return m.outbox_of(row) if row else None

    async def claim_due(
        self, topics: Sequence[str], now: datetime, limit: int, owner: str, lease: timedelta,
        room: Mapping[str, Mapping[str, int]] | None = None,
    ) -> Sequence[OutboxItem]:
        ranked = tuple(str(topic) for topic in topics)
        limited, room_values = _room_parameters(ranked, room or {})
        statement = _claim_statement(self._c.dialect.name, ranked, limited)
        result = await self._c.execute(statement, {"now": now, "claim_limit": limit, "candidates": limit * CLAIMERS,
                                                   "owner": owner, "until": now + lease, **room_values})
        return in_fair_order([m.outbox_of(row) for row in result.mappings().all()], ranked)  # RETURNING: no order

    async def record_outcomes(self, items: Sequence[OutboxItem], attempts: Sequence[SyncAttempt]) -> None:
        if items:
            await self._c.execute(_RECORD, [{f"v_{name}": getattr(item, name) for name in _OUTCOME} | {
                "v_status": item.status.value, "v_id": item.id} for item in items])
        if attempts:
            await self._c.execute(insert_statement(sync_attempts), [m.attempt_row(a) for a in attempts])

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
