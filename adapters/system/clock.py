"""The system clock (UTC), random UUIDs and the operating system's randomness."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime


class SystemClock:
    """Clock: the current time, timezone-aware UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class UuidGenerator:
    """IdGenerator: random (version 4) UUIDs."""

    def new_id(self) -> str:
        return str(uuid.uuid4())


class SystemRandom:
    """RandomSource: the operating system's randomness (backoff jitter)."""

    def __init__(self) -> None:
        self._random = random.SystemRandom()

    def random(self) -> float:
        return self._random.random()
