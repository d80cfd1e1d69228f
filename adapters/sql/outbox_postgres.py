"""The relay's outbox statements on PostgreSQL, sent through the driver with SQL text built once.

The relay claims and records a batch many times a second; SQLAlchemy Core spends more CPU compiling,
expanding IN lists and processing rows than Postgres spends running these statements. Same rules as
`SqlOutboxRepository` (fair order, practices' room, SKIP LOCKED, leases), same domain objects.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from adapters.sql.driver import driver_keeping_deferred, driver_of
from adapters.sql.pg_deferred import defer
from adapters.sql.pg_outbox import add_outbox_items
from adapters.sql.repositories_outbox import CLAIMERS, SqlOutboxRepository
from domain.sync import OutboxItem, SyncAttempt, SyncStatus, in_fair_order, topic_of

_COLUMNS = ("id", "topic", "status", "created_at", "updated_at", "next_attempt_at", "reading_id", "patient_id",
            "alert_id", "code", "resource_type", "attempts", "http_status", "external_id", "last_error",
            "trace_context", "practice_id")
_CLAIMABLE = f"('{SyncStatus.PENDING.value}', '{SyncStatus.RETRYING.value}')"


def _due(t: str) -> str:
    return (f"{t}.topic = ANY($1::text[]) AND {t}.status IN {_CLAIMABLE} AND {t}.next_attempt_at <= $2"
            f" AND ({t}.lease_until IS NULL OR {t}.lease_until <= $2)")


# $1 topics in priority order, $2 now, $3 candidates, $4 limit, $5 owner, $6 lease end, $7/$8/$9 the room
# (topic, practice, how many more of its items may be taken; 0: none). Due items are numbered per practice
# (by topic rank, then due time) and the first of that numbering taken: every practice's first item, then
# every one's second, ... A few batches' worth of that order is what concurrent claimers share (each skips
# what another holds); of those, a practice with limited room keeps only its first items of each topic.
# The candidates travel as one array, looked up by primary key once: joined row by row instead, a planner
# whose statistics say the outbox is empty (a fresh database, until autovacuum analyzes it) scans the whole
# outbox once per candidate.
_ROOM = "unnest($7::text[], $8::text[], $9::int[]) AS room(topic, practice_id, most)"
_CLAIM = f"""
WITH ranked AS MATERIALIZED (
  SELECT ARRAY(
    SELECT fair.id FROM (
      SELECT first.*, row_number() OVER (PARTITION BY first.practice_id, first.topic ORDER BY first.turn) AS nth
      FROM (
        SELECT numbered.* FROM (
          SELECT candidate.id, candidate.topic, candidate.practice_id, candidate.next_attempt_at,
                 row_number() OVER (PARTITION BY candidate.practice_id ORDER BY
                   array_position($1::text[], candidate.topic::text), candidate.next_attempt_at, candidate.id)
                   AS turn,
                 array_position($1::text[], candidate.topic::text) AS rank
          FROM outbox AS candidate
          WHERE {_due("candidate")}
            AND NOT EXISTS (SELECT FROM {_ROOM} WHERE room.most = 0 AND room.topic = candidate.topic
                                                  AND room.practice_id = candidate.practice_id)
        ) AS numbered
        ORDER BY turn, rank, next_attempt_at, id LIMIT $3) AS first
    ) AS fair
    WHERE fair.nth <= coalesce((SELECT room.most FROM {_ROOM}
                                WHERE room.topic = fair.topic AND room.practice_id = fair.practice_id), fair.nth)
    ORDER BY turn, rank, next_attempt_at, id) AS ids)
UPDATE outbox SET lease_owner = $5, lease_until = $6
WHERE outbox.id = ANY(ARRAY(
  SELECT claimable.id FROM outbox AS claimable, ranked
  WHERE claimable.id = ANY(ranked.ids) AND {_due("claimable")}
  ORDER BY array_position(ranked.ids, claimable.id)
  LIMIT $4 FOR UPDATE OF claimable SKIP LOCKED))
RETURNING {", ".join(_COLUMNS)}"""  # noqa: S608 - constants only; values are parameters
# every outcome (claim released) and every attempt: two writes that wait for the commit (`pg_deferred`), where
# they go in the one statement that also carries the batch's delivery health and audit entries
_OUTCOMES = """
UPDATE outbox SET status = o.status, attempts = o.attempts, http_status = o.http_status,
       external_id = o.external_id, last_error = o.last_error, updated_at = o.updated_at,
       next_attempt_at = o.next_attempt_at, lease_owner = NULL, lease_until = NULL
FROM unnest($1::text[], $2::text[], $3::int[], $4::int[], $5::text[], $6::text[], $7::timestamptz[],
            $8::timestamptz[])
     AS o(id, status, attempts, http_status, external_id, last_error, updated_at, next_attempt_at)
WHERE outbox.id = o.id"""
_ATTEMPTS = """
INSERT INTO sync_attempts (id, item_id, attempted_at, status, http_status, external_id, error)
SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::text[], $5::int[], $6::text[], $7::text[])"""


class PgOutboxRepository(SqlOutboxRepository):
    """OutboxRepository on PostgreSQL: the intake's add and the relay's claim and record go through the driver."""

    async def add_many(self, items: Sequence[OutboxItem]) -> None:
        if items:  # the rows and their topics' NOTIFY in one round trip
            await add_outbox_items(self._c, items, self._unannounced(items))

    async def claim_due(
        self, topics: Sequence[str], now: datetime, limit: int, owner: str, lease: timedelta,
        room: Mapping[str, Mapping[str, int]] | None = None,
    ) -> Sequence[OutboxItem]:
        ranked = [str(topic) for topic in topics]
        driver = await driver_of(self._c)
        rows = await driver.fetch(_CLAIM, ranked, now, limit * CLAIMERS, limit, owner, now + lease,
                                  *_room_columns(ranked, room or {}))
        return in_fair_order([_item_of(row) for row in rows], ranked)  # RETURNING: no order

    async def record_outcomes(self, items: Sequence[OutboxItem], attempts: Sequence[SyncAttempt]) -> None:
        if not items and not attempts:
            return
        driver = await driver_keeping_deferred(self._c)
        if items:
            await defer(driver, "outbox", _OUTCOMES, _columns(items, _OUTCOME_FIELDS))
        if attempts:
            await defer(driver, "sync_attempts", _ATTEMPTS, _columns(attempts, _ATTEMPT_FIELDS))


_OUTCOME_FIELDS = ("id", "status", "attempts", "http_status", "external_id", "last_error", "updated_at",
                   "next_attempt_at")
_ATTEMPT_FIELDS = ("id", "item_id", "attempted_at", "status", "http_status", "external_id", "error")


def _room_columns(topics: Sequence[str], room: Mapping[str, Mapping[str, int]]) -> tuple[list[Any], ...]:
    """The room as three arrays (topic, practice, how many more), for unnest."""
    limited = [(topic, practice, most) for topic in topics for practice, most in sorted(room.get(topic, {}).items())]
    return tuple(list(column) for column in zip(*limited, strict=True)) if limited else ([], [], [])


def _columns(rows: Sequence[OutboxItem] | Sequence[SyncAttempt], names: Sequence[str]) -> list[list[Any]]:
    """One array per column (for unnest); statuses as their stored text."""
    return [[_stored(getattr(row, name)) for row in rows] for name in names]


def _stored(value: Any) -> Any:
    return value.value if isinstance(value, SyncStatus) else value


def _item_of(row: Any) -> OutboxItem:
    values = dict(zip(_COLUMNS, row, strict=True))
    return OutboxItem(**{**values, "topic": topic_of(values["topic"]), "status": SyncStatus(values["status"])})
