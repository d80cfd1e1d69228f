"""Postgres LISTEN/NOTIFY: committed outbox rows wake idle workers at once (polling stays the fallback)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import asyncpg
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection

CHANNEL = "vantrexia_outbox"
_NOTIFY = text("SELECT pg_notify(:channel, :topic)")


async def notify_outbox(connection: AsyncConnection, topic: str) -> None:
    """Queue a notification; Postgres delivers it when (and only if) the transaction commits."""
    if connection.dialect.name == "postgresql":
        await connection.execute(_NOTIFY, {"channel": CHANNEL, "topic": topic})


class OutboxListener:
    """A dedicated asyncpg connection that LISTENs and calls `on_work` for every notification."""

    def __init__(self, database_url: str, on_work: Callable[[], None]) -> None:
        url = make_url(database_url)
        self._dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
        self._on_work = on_work
        self._connection: Any = None

    async def start(self) -> None:
        self._connection = await asyncpg.connect(self._dsn)
        await self._connection.add_listener(CHANNEL, self._notified)

    def _notified(self, *_: object) -> None:
        self._on_work()

    async def stop(self) -> None:
        if self._connection is not None:
            await self._connection.close()
            self._connection = None
