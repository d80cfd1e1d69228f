"""The system clock (UTC), time-ordered UUIDs and the operating system's randomness."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import uuid_utils


class SystemClock:
    """Clock: the current time, timezone-aware UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class UuidGenerator:
    """IdGenerator: time-ordered (version 7) UUIDs.

    A new row's id then lands at the right edge of its primary-key index instead of on a random leaf
    page: after a checkpoint PostgreSQL writes every page it first touches into the WAL whole, so with
    a million rows stored a random id cost about 5.9 KB of WAL per row and a time-ordered one 0.9 KB.
    The id tells when the row was made, to the millisecond, which its row, the audit trail and the
    logs record anyway.
    """

    def new_id(self) -> str:
        return str(uuid_utils.uuid7())


class SystemRandom:
    """RandomSource: the operating system's randomness (backoff jitter)."""

    def __init__(self) -> None:
        self._random = random.SystemRandom()

    def random(self) -> float:
        return self._random.random()
