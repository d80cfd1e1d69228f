"""Deferred writes on PostgreSQL: a write whose caller needs no result (last seen, outbox rows, audit
entries) waits for the unit of work's next statement and goes with it, as a data-modifying CTE, in one
round trip; what is still waiting at commit goes in one statement before COMMIT.

Nothing reads past a waiting write: SQLAlchemy's statements (savepoints too) and the commit send what waits
first (engine events, `defer_writes_until_needed`); a driver statement sent through `fetch` takes along
only the writes to tables it does not touch (a CTE's changes are not visible to its own statement), and
`driver_of` sends the rest first. A rollback forgets them. NOTIFY is queued by the last flush: Postgres
delivers notifications at commit whichever statement queued them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.sql.notify import CHANNEL

_PARAMETER = re.compile(r"\$(\d+)")
_NOTIFY = f"SELECT pg_notify('{CHANNEL}', topic) FROM unnest($1::text[]) AS topic"  # noqa: S608 - constant


@dataclass
class _Waiting:
    writes: list[tuple[str, str, list[Any]]] = field(default_factory=list)  # (table, SQL, arguments)
    notify: dict[str, None] = field(default_factory=dict)  # topics, in order, once each


# per asyncpg connection: SQLAlchemy's events see the driver's connection, the repositories theirs
_WAITING: WeakKeyDictionary[Any, _Waiting] = WeakKeyDictionary()


async def defer(driver: Any, table: str, sql: str, args: Sequence[Any], notify: Sequence[str] = ()) -> None:
    """Let `sql` (one INSERT or UPDATE of `table`, no RETURNING) wait for the next statement; the
    `notify` topics are announced with the flush. A waiting UPDATE or upsert of the same table goes first:
    one statement changing a row twice keeps only one of the changes (an upsert fails)."""
    sql = sql.strip()
    waiting = _WAITING.setdefault(driver, _Waiting())
    if any(t == table and not (_appends(s) and _appends(sql)) for t, s, _ in waiting.writes):
        await flush(driver)
        waiting = _WAITING.setdefault(driver, _Waiting())
    waiting.writes.append((table, sql, list(args)))
    waiting.notify.update(dict.fromkeys(notify))


def _appends(sql: str) -> bool:
    return sql.startswith("INSERT") and "ON CONFLICT" not in sql


async def fetch(driver: Any, sql: str, args: Sequence[Any], touches: frozenset[str]) -> list[Any]:
    """Run `sql` (a statement touching only `touches`) with the waiting writes to other tables as its
    CTEs; the others are sent first."""
    waiting = _WAITING.get(driver)
    if waiting is None or not waiting.writes:
        return list(await driver.fetch(sql, *args))
    riders = [w for w in waiting.writes if w[0] not in touches]
    waiting.writes = [w for w in waiting.writes if w[0] in touches]
    if waiting.writes:
        await _send_writes(driver, waiting)
    combined, arguments = _with_riders(sql, list(args), riders)
    return list(await driver.fetch(combined, *arguments))


async def flush(driver: Any) -> None:
    """Send every waiting write (and the notifications) now, in one statement."""
    waiting = _WAITING.pop(driver, None)
    if waiting is None or not (waiting.writes or waiting.notify):
        return
    if waiting.notify:
        sql, args = _with_riders(_NOTIFY, [list(waiting.notify)], waiting.writes)
    else:
        (_, first, first_args), *rest = waiting.writes
        sql, args = _with_riders(first, first_args, rest)
    await driver.execute(sql, *args)


def forget(driver: Any) -> None:
    """The transaction rolled back: what waited is gone with it."""
    _WAITING.pop(driver, None)


async def _send_writes(driver: Any, waiting: _Waiting) -> None:
    (_, first, first_args), *rest = waiting.writes
    waiting.writes = []
    sql, args = _with_riders(first, first_args, rest)
    await driver.execute(sql, *args)


def _with_riders(sql: str, args: list[Any], riders: Sequence[tuple[str, str, list[Any]]]) -> tuple[str, list[Any]]:
    if not riders:
        return sql, args
    combined = _combined(sql, len(args), tuple((rider, len(rider_args)) for _, rider, rider_args in riders))
    return combined, [*args, *(a for _, _, rider_args in riders for a in rider_args)]


@cache
def _combined(sql: str, count: int, riders: tuple[tuple[str, int], ...]) -> str:
    """`sql` with each rider as a CTE, the riders' parameters numbered after its `count` own."""
    ctes = []
    for n, (rider, rider_count) in enumerate(riders):
        ctes.append(f"_deferred_{n} AS ({renumbered(rider, count)})")
        count += rider_count
    head = sql.lstrip()
    if head.upper().startswith("WITH "):
        return f"WITH {', '.join(ctes)}, {head[5:]}"
    return f"WITH {', '.join(ctes)} {head}"


def renumbered(sql: str, shift: int) -> str:
    """`sql` with its parameters numbered `shift` further ($1 becomes ${shift + 1})."""
    return _PARAMETER.sub(lambda m: f"${int(m[1]) + shift}", sql)


def defer_writes_until_needed(engine: AsyncEngine) -> None:
    """Waiting writes go before any statement SQLAlchemy sends (SAVEPOINT and ROLLBACK TO SAVEPOINT are
    statements too) and before COMMIT; a rollback forgets them."""

    def _send(connection: Any, *_: Any) -> None:
        if connection.connection.driver_connection in _WAITING:
            connection.connection.dbapi_connection.run_async(flush)

    def _forget(connection: Any) -> None:
        forget(connection.connection.driver_connection)

    def _forget_on_reset(dbapi_connection: Any, *_: Any) -> None:
        forget(dbapi_connection.driver_connection)

    event.listen(engine.sync_engine, "before_cursor_execute", _send)
    event.listen(engine.sync_engine, "commit", _send)
    event.listen(engine.sync_engine, "rollback", _forget)
    event.listen(engine.sync_engine, "reset", _forget_on_reset)
