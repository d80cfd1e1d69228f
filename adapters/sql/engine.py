"""Async engines for the two supported databases: SQLite (aiosqlite) and PostgreSQL (asyncpg)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import asyncpg
from sqlalchemy import event
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from adapters.sql.pg_deferred import defer_writes_until_needed

SQLITE_BUSY_TIMEOUT_MS = 15_000
# A prepared statement is made again after this long, so that Postgres plans it afresh: after five executions it
# keeps one generic plan, and one made while a table was nearly empty (a new database, the outbox after a deploy)
# scans the whole table on every claim until autovacuum's next ANALYZE, up to a minute and more later
STATEMENT_LIFETIME_SECONDS = 10
# A lost database must cost a request seconds, not minutes: connecting gives up after 5 s, a pool
# slot is waited for 5 s, and no statement runs longer than 30 s (the API's longest query, a
# year-long report, takes well under a second) — each then surfaces as a 503 via is_connection_error.
_POSTGRES_POOL: dict[str, Any] = {
    "pool_size": 10, "max_overflow": 10, "pool_recycle": 1800, "pool_timeout": 5,
    "connect_args": {"timeout": 5, "command_timeout": 30, "max_cached_statement_lifetime": STATEMENT_LIFETIME_SECONDS},
}
# the database cannot be reached right now (down, restarting, cut off, out of connections, too slow)
_UNAVAILABLE = (
    OSError,  # refused, reset, unreachable, timed out (TimeoutError is an OSError)
    sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.DisconnectionError, sa_exc.TimeoutError,
    asyncpg.InterfaceError, asyncpg.PostgresConnectionError,  # class 08: connection exceptions
    asyncpg.exceptions.OperatorInterventionError,  # class 57: shutdown, cannot connect now, canceled
    asyncpg.exceptions.InsufficientResourcesError,  # class 53: too many connections, disk full
)


def dialect_name(database_url: str | URL) -> str:
    """`sqlite` or `postgresql`; raises ValueError for any other database."""
    name = make_url(database_url).get_backend_name()
    if name not in ("sqlite", "postgresql"):
        raise ValueError(f"unsupported database {name!r}: use sqlite+aiosqlite or postgresql+asyncpg")
    return name


def _causes(error: BaseException) -> Iterator[BaseException]:
    """`error` and what caused it (`raise ... from`): SQLAlchemy's error <- the adapted DBAPI error <- the
    driver's <- an OSError; at most ten deep."""
    seen: BaseException | None = error
    for _ in range(10):
        if seen is None:
            return
        yield seen
        seen = seen.__cause__


def is_connection_error(error: BaseException) -> bool:
    """Whether `error` (or what caused it) says the database is unreachable for now, so that the same
    request may succeed later; a bad statement or a constraint violation is not such an error."""
    return any(isinstance(seen, _UNAVAILABLE) or (isinstance(seen, sa_exc.DBAPIError) and seen.connection_invalidated)
               for seen in _causes(error))


def is_transaction_conflict(error: BaseException) -> bool:
    """Whether the database aborted the transaction to break a deadlock or because it could not be
    serialized: all of its work rolled back, the same work may simply run again."""
    return any(isinstance(seen, (asyncpg.exceptions.DeadlockDetectedError, asyncpg.exceptions.SerializationError))
               for seen in _causes(error))


def is_data_error(error: BaseException) -> bool:
    """Whether the database refused a value itself (SQLSTATE class 22: a NUL character in text, a
    number out of range, a string too long), i.e. the request carried something it cannot hold."""
    return any(isinstance(seen, (sa_exc.DataError, asyncpg.exceptions.DataError)) for seen in _causes(error))


def create_engine(database_url: str, **engine_options: Any) -> AsyncEngine:
    """An AsyncEngine configured for our transaction semantics on either database."""
    url = make_url(database_url)
    if dialect_name(url) == "postgresql":
        if "poolclass" not in engine_options:
            engine_options = {**_POSTGRES_POOL, **engine_options}
        engine = create_async_engine(url, **engine_options)
        _refuse_closed_connections(engine)
        defer_writes_until_needed(engine)
        return engine
    engine = create_async_engine(url, **engine_options)
    _configure_sqlite(engine)
    return engine


def _refuse_closed_connections(engine: AsyncEngine) -> None:
    """A pooled connection the server or the network has closed is replaced at checkout, before any
    statement meets it.

    asyncpg reads every socket all the time, so a closed one is known at once (`is_closed()`); asking
    costs nothing, where SQLAlchemy's pre-ping costs three round trips (BEGIN, a ping, ROLLBACK) on every
    checkout, and the relay and the intake check out per batch and per page.
    """

    @event.listens_for(engine.sync_engine, "checkout")
    def _on_checkout(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        if dbapi_connection.driver_connection.is_closed():
            raise sa_exc.DisconnectionError("the database closed this pooled connection")  # the pool retries


def _configure_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take BEGIN away from the sqlite3 driver, which would skip it before SELECTs.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA foreign_keys = ON")
            cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        finally:
            cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Connection) -> None:
        # IMMEDIATE takes the write lock up front, so transactions queue on busy_timeout
        # instead of failing with SQLITE_BUSY when a read transaction later tries to write.
        connection.exec_driver_sql("BEGIN IMMEDIATE")
