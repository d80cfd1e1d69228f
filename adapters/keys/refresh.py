"""A value read from outside at most once per interval, so running processes see rotations soon
without asking the store on every request."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Fresh(Generic[T]):
    """`read()`'s result, kept for `seconds`. Thread-safe: in demo mode the sandbox serves our JWKS
    from its own thread and event loop, so the lock is a thread lock, not an asyncio one."""

    def __init__(self, read: Callable[[], T], seconds: float, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._read = read
        self._seconds = seconds
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._kept: tuple[float, T] | None = None

    def get(self) -> T:
        """The kept value, read again first when it is older than the interval (blocking)."""
        with self._lock:  # one reader at a time: callers waiting here then share its result
            kept = self._kept
            if kept is not None and self._monotonic() - kept[0] < self._seconds:
                return kept[1]
            started = self._monotonic()  # the value is as old as the moment we asked for it
            value = self._read()
            self._kept = (started, value)
            return value

    def set(self, value: T) -> None:
        self._kept = (self._monotonic(), value)

    def forget(self) -> None:
        """Read again on the next `get` (after this process changed the value itself)."""
        self._kept = None
