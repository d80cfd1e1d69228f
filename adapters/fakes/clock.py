"""Deterministic time, ids and randomness for tests (the system versions are in adapters/system/clock.py)."""

from __future__ import annotations

import itertools
import uuid
from datetime import datetime, timedelta


class FixedClock:
    """A clock that only moves when told to."""

    def __init__(self, now: datetime) -> None:
        if now.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")
        self._now = now

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> None:
        self._now += delta

    def set(self, now: datetime) -> None:
        self._now = now


class SequentialIds:
    """UUID-shaped, predictable ids: 00000000-0000-4000-8000-000000000001, ..."""

    def __init__(self) -> None:
        self._counter = itertools.count(1)

    def new_id(self) -> str:
        return str(uuid.UUID(int=(0x4000 << 64) | (0x8000 << 48) | next(self._counter)))


class FixedRandom:
    def __init__(self, value: float = 0.5) -> None:
        self.value = value

    def random(self) -> float:
        return self.value
