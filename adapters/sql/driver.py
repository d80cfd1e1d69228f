"""The asyncpg connection beneath SQLAlchemy's, for the hot paths' statements on PostgreSQL.

SQLAlchemy Core costs far more CPU per statement than the database takes to run the intake's and the
relay's small statements (compiling, caching, result processing). Those repositories send their SQL
through the driver instead, on the same pooled connection and inside the same transaction, so a
unit of work stays one transaction whichever layer a statement went through.
"""

from __future__ import annotations

from typing import Any
from weakref import WeakKeyDictionary

import asyncpg
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.pool import PoolProxiedConnection

from adapters.sql.pg_deferred import flush

# per AsyncConnection (a unit of work's checkout): SQLAlchemy hands the raw connection out through a
# greenlet switch, which costs more than a small statement; the driver outlives every transaction on it
_KNOWN: WeakKeyDictionary[AsyncConnection, tuple[Any, asyncpg.Connection[Any]]] = WeakKeyDictionary()


async def driver_of(connection: AsyncConnection) -> asyncpg.Connection[Any]:
    """The asyncpg connection under `connection`, inside its transaction, with no write still waiting
    (`adapters.sql.pg_deferred`): whatever is sent on it next sees every earlier write."""
    driver = await driver_keeping_deferred(connection)
    await flush(driver)
    return driver


async def driver_keeping_deferred(connection: AsyncConnection) -> asyncpg.Connection[Any]:
    """The asyncpg connection under `connection`, inside its transaction (deferred writes still waiting).

    SQLAlchemy's asyncpg adapter sends BEGIN lazily, with its first statement; a unit of work whose
    first statement goes straight to the driver would run outside any transaction. So the adapter's
    transaction is started here when the connection is in one and the adapter has not begun it yet.
    """
    known = _KNOWN.get(connection)
    if known is None or known[1].is_closed():  # closed: invalidated, and SQLAlchemy reconnected since
        fairy = await _pooled(connection)
        known = _KNOWN[connection] = (fairy.dbapi_connection, fairy.driver_connection)
    adapted: Any = known[0]
    driver = known[1]
    # the adapter keeps no public handle on this; tests/integration/test_sql_driver.py guards it
    if adapted._transaction is None and connection.in_transaction():  # begun: asked no further (hot path)
        await adapted._start_transaction()
    return driver


async def send_waiting(connection: AsyncConnection) -> None:
    """Send the writes still waiting on `connection`'s driver, if it has been used (before a commit)."""
    known = _KNOWN.get(connection)
    if known is not None:
        await flush(known[1])


async def _pooled(connection: AsyncConnection) -> PoolProxiedConnection:
    """The pooled connection under `connection`: read straight off a valid one (`get_raw_connection` reads the
    same property through a greenlet switch, needed only when it must reconnect)."""
    sync = connection.sync_connection
    if sync is not None and not sync.closed and not sync.invalidated:
        return sync.connection
    return await connection.get_raw_connection()
