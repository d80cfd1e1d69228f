"""Time, ids and randomness, injected so that tests are deterministic."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware (UTC)."""
        ...


class IdGenerator(Protocol):
    def new_id(self) -> str:
        """A new unique opaque id."""
        ...


class RandomSource(Protocol):
    def random(self) -> float:
        """A float in [0, 1), used for retry jitter."""
        ...
