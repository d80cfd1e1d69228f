"""SqlLoginFailures: the login throttle's counters in `login_failures`, shared by every API process.

One row per failed login; counting rows in the window needs no read-modify-write, so concurrent
failures from several processes are all counted (two racing at the threshold may both see it).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, case, delete, func, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.sql.elements import ColumnElement

from adapters.sql.statements import insert_statement
from adapters.sql.tables import login_failures as t
from domain.login_throttle import FailureCount, RecentFailures


class SqlLoginFailures:
    """Each call is its own short transaction (a failed login is counted even if the request fails later)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def recent(self, username: str, address: str, since: datetime) -> RecentFailures:
        async with self._engine.connect() as connection:
            return await _recent(connection, username, address, since)

    async def record(self, username: str, address: str, at: datetime, since: datetime) -> RecentFailures:
        async with self._engine.begin() as connection:
            await connection.execute(insert_statement(t), {"username": username, "address": address, "failed_at": at})
            return await _recent(connection, username, address, since)

    async def clear(self, username: str | None, address: str | None) -> int:
        conditions: list[ColumnElement[bool]] = []
        if username is not None:
            conditions.append(t.c.username == username)
        if address is not None:
            conditions.append(t.c.address == address)
        if not conditions:
            raise ValueError("clearing every failure needs a username or an address")
        async with self._engine.begin() as connection:
            result = await connection.execute(delete(t).where(and_(*conditions)))
        return result.rowcount

    async def prune(self, before: datetime) -> int:
        async with self._engine.begin() as connection:
            result = await connection.execute(delete(t).where(t.c.failed_at < before))
        return result.rowcount


def _recent_query(username: str, address: str, since: datetime) -> Select[Any]:
    """Failures from the address and the oldest of them; the username's among them and their oldest."""
    same_user = t.c.username == username
    return select(
        func.count(),
        func.min(t.c.failed_at),
        func.coalesce(func.sum(case((same_user, 1), else_=0)), 0),
        func.min(case((same_user, t.c.failed_at), else_=None)),
    ).where(t.c.address == address, t.c.failed_at >= since)


async def _recent(connection: AsyncConnection, username: str, address: str, since: datetime) -> RecentFailures:
    row = (await connection.execute(_recent_query(username, address, since))).one()
    return RecentFailures(
        username_at_address=FailureCount(int(row[2]), row[3]),
        address=FailureCount(int(row[0]), row[1]),
    )
