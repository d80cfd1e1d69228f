"""HTTP hardening: login throttling."""

from __future__ import annotations

from collections import defaultdict, deque
from datetime import datetime, timedelta

from domain.ports import Clock


class LoginThrottle:
    """After `limit` failed logins for a username within `window`, refuse further tries until it passes.

    Kept per API process; with several processes the effective limit is `limit` per process.
    """

    def __init__(self, clock: Clock, limit: int = 5, window: timedelta = timedelta(minutes=15)) -> None:
        self._clock = clock
        self._limit = limit
        self._window = window
        self._failures: dict[str, deque[datetime]] = defaultdict(deque)

    def retry_after(self, username: str) -> int | None:
        """Seconds until `username` may try again, or None when it may try now."""
        failures = self._recent(username)
        if len(failures) < self._limit:
            return None
        return max(1, int((failures[0] + self._window - self._clock.now()).total_seconds()))

    def failed(self, username: str) -> None:
        self._recent(username).append(self._clock.now())

    def succeeded(self, username: str) -> None:
        self._failures.pop(username.lower(), None)

    def _recent(self, username: str) -> deque[datetime]:
        failures = self._failures[username.lower()]
        while failures and failures[0] + self._window <= self._clock.now():
            failures.popleft()
        return failures
