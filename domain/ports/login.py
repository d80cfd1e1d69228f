"""Failed-login counters, shared by every API process (the throttle's memory)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from domain.login_throttle import RecentFailures


class LoginFailures(Protocol):
    """Failed logins by (username, client address); usernames and addresses come normalised."""

    async def recent(self, username: str, address: str, since: datetime) -> RecentFailures:
        """Failures since `since` of `username` from `address`, and of any username from `address`."""
        ...

    async def record(self, username: str, address: str, at: datetime, since: datetime) -> RecentFailures:
        """Store one failure, then count as `recent` does (the new failure included)."""
        ...

    async def clear(self, username: str | None, address: str | None) -> int:
        """Forget the failures of `username` (from `address` only, when given), or of everyone from
        `address`; returns how many were forgotten."""
        ...

    async def prune(self, before: datetime) -> int:
        """Forget failures older than `before` (they no longer count); returns how many."""
        ...
