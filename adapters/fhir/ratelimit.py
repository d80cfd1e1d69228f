"""A token-bucket rate limiter for the outbound calls to one EMR practice."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

DEFAULT_PER_MINUTE = 250  # eCW reportedly allows about 250 calls a minute per practice
DEFAULT_BURST = 5


class RateLimiter:
    """At most `per_minute` calls in any 60-second window: bursts of `burst`, then an even pace.

    The refill rate is (per_minute - burst) / 60 per second, so a full bucket plus a minute of
    refill never exceeds `per_minute`. Waiters are served in arrival order (the lock is fair).
    """

    def __init__(
        self, per_minute: int = DEFAULT_PER_MINUTE, burst: int = DEFAULT_BURST, *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if per_minute < 1:
            raise ValueError("per_minute must be at least 1")
        self._burst = max(1, min(burst, per_minute - 1)) if per_minute > 1 else 1
        self._rate = max(per_minute - self._burst, 1) / 60.0
        self._clock = clock
        self._sleep = sleep
        self._tokens = float(self._burst)
        self._updated = clock()
        self._lock = asyncio.Lock()
        self.waited_seconds = 0.0

    async def acquire(self) -> None:
        """Wait until a call may be made, then take its token."""
        async with self._lock:
            self._refill()
            if self._tokens < 1:
                wait = (1 - self._tokens) / self._rate
                self.waited_seconds += wait
                await self._sleep(wait)
                self._refill()
            self._tokens -= 1

    def _refill(self) -> None:
        now = self._clock()
        self._tokens = min(float(self._burst), self._tokens + (now - self._updated) * self._rate)
        self._updated = now
