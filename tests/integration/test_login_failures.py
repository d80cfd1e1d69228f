"""Every LoginFailures (fake, SQLite, Postgres) counts, clears and prunes alike; concurrent failures all count."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.fakes.login_failures import InMemoryLoginFailures
from adapters.sql.login_failures import SqlLoginFailures
from domain.login_throttle import FailureCount, RecentFailures
from domain.ports import LoginFailures

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
A, B = "198.51.100.23", "2001:db8::1"


@pytest.fixture(params=["fake", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def failures(request: pytest.FixtureRequest, engine_factory: Callable[[str], AsyncEngine]) -> LoginFailures:
    if request.param == "fake":
        return InMemoryLoginFailures()
    return SqlLoginFailures(engine_factory(request.getfixturevalue(f"{request.param}_url")))


def _at(minute: int) -> datetime:
    return T0 + timedelta(minutes=minute)


async def _record(failures: LoginFailures, *rows: tuple[str, str, int]) -> RecentFailures:
    counted = RecentFailures()
    for username, address, minute in rows:
        counted = await failures.record(username, address, _at(minute), T0)
    return counted


async def test_failures_are_counted_per_username_at_address_and_per_address(failures: LoginFailures) -> None:
    last = await _record(failures, ("ada", A, 1), ("bob", A, 2), ("ada", B, 3), ("ada", A, 4))
    assert last == RecentFailures(FailureCount(2, _at(1)), FailureCount(3, _at(1)))
    assert await failures.recent("ada", A, T0 + timedelta(minutes=2)) == RecentFailures(
        FailureCount(1, _at(4)), FailureCount(2, _at(2)))
    assert await failures.recent("carol", B, T0) == RecentFailures(FailureCount(0, None), FailureCount(1, _at(3)))


async def test_clear_and_prune_forget_exactly_what_they_name(failures: LoginFailures) -> None:
    await _record(failures, ("ada", A, 1), ("ada", B, 2), ("bob", A, 3), ("bob", B, 4), ("carol", B, 5))
    assert await failures.clear("ada", A) == 1
    assert await failures.clear("bob", None) == 2
    assert await failures.recent("ada", B, T0) == RecentFailures(
        FailureCount(1, _at(2)), FailureCount(2, _at(2)))
    assert await failures.prune(T0 + timedelta(minutes=3)) == 1
    assert (await failures.recent("carol", B, T0)).address.count == 1
    assert await failures.clear(None, B) == 1
    assert (await failures.recent("carol", B, T0)).address == FailureCount(0, None)


async def test_concurrent_failures_are_all_counted(failures: LoginFailures) -> None:
    await asyncio.gather(*(failures.record(f"user-{i}", A, T0, T0) for i in range(12)))
    assert (await failures.recent("user-0", A, T0)).address.count == 12
