"""Where the relay keeps each practice's EMR delivery health, and where /health and the dashboard read it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from domain.delivery_health import ConnectionHealth, DeliveryMark


class DeliveryHealthRepository(Protocol):
    async def note(self, marks: Sequence[DeliveryMark]) -> None:
        """Keep each mark (one upsert per practice): a success or failure time only moves forward, and a
        failure's reason and HTTP status go with its time."""
        ...

    async def report(self, practice_id: str | None = None) -> Sequence[ConnectionHealth]:
        """Every practice with a mark or a waiting EMR item (only `practice_id`'s when given), by practice,
        each with its backlog: EMR items pending or retrying."""
        ...
