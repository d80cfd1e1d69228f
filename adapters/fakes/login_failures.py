"""InMemoryLoginFailures: the login throttle's counters in a list (one process, tests)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.login_throttle import FailureCount, RecentFailures


@dataclass(frozen=True)
class _Failure:
    username: str
    address: str
    at: datetime


def _count(times: list[datetime]) -> FailureCount:
    return FailureCount(len(times), min(times, default=None))


class InMemoryLoginFailures:
    def __init__(self) -> None:
        self.failures: list[_Failure] = []

    async def recent(self, username: str, address: str, since: datetime) -> RecentFailures:
        from_address = [f for f in self.failures if f.address == address and f.at >= since]
        return RecentFailures(
            username_at_address=_count([f.at for f in from_address if f.username == username]),
            address=_count([f.at for f in from_address]),
        )

    async def record(self, username: str, address: str, at: datetime, since: datetime) -> RecentFailures:
        self.failures.append(_Failure(username, address, at))
        return await self.recent(username, address, since)

    async def clear(self, username: str | None, address: str | None) -> int:
        kept = [f for f in self.failures
                if (username is not None and f.username != username) or (address is not None and f.address != address)]
        cleared = len(self.failures) - len(kept)
        self.failures = kept
        return cleared

    async def prune(self, before: datetime) -> int:
        kept = [f for f in self.failures if f.at >= before]
        pruned = len(self.failures) - len(kept)
        self.failures = kept
        return pruned
