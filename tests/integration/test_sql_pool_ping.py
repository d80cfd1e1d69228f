"""A pooled Postgres connection that died while idle is replaced on checkout, not handed out."""

from __future__ import annotations

from collections.abc import Callable

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.conftest import asyncpg_dsn

pytestmark = pytest.mark.postgres


async def _backend_pid(engine: AsyncEngine) -> int:
    async with engine.connect() as connection:
        return int((await connection.execute(text("SELECT pg_backend_pid()"))).scalar_one())


async def test_a_connection_killed_while_pooled_is_replaced_on_the_next_checkout(
    postgres_url: str, engine_factory: Callable[[str], AsyncEngine],
) -> None:
    engine = engine_factory(postgres_url)
    first = await _backend_pid(engine)
    assert await _backend_pid(engine) == first  # pooled: the same connection again
    admin = await asyncpg.connect(asyncpg_dsn(postgres_url))
    try:
        assert await admin.fetchval("SELECT pg_terminate_backend($1)", first)
    finally:
        await admin.close()
    assert await _backend_pid(engine) not in (first, 0)  # the dead one was pinged, dropped and replaced
