"""EmrConnectionRepository in memory."""

from __future__ import annotations

from collections.abc import Sequence

from adapters.fakes.repositories import InMemoryRepository
from domain.emr_connections import EmrConnection
from domain.errors import AlreadyExists


class InMemoryEmrConnectionRepository(InMemoryRepository):
    async def add(self, connection: EmrConnection) -> None:
        if await self.for_practice(connection.practice_id) is not None:
            raise AlreadyExists("this practice has an EMR connection already")
        self._t.emr_connections[connection.id] = connection

    async def save(self, connection: EmrConnection) -> None:
        holder = await self.for_practice(connection.practice_id)
        if holder is not None and holder.id != connection.id:
            raise AlreadyExists("this practice has an EMR connection already")
        self._t.emr_connections[connection.id] = connection

    async def get(self, connection_id: str) -> EmrConnection | None:
        return self._t.emr_connections.get(connection_id)

    async def for_practice(self, practice_id: str) -> EmrConnection | None:
        return next((c for c in self._t.emr_connections.values() if c.practice_id == practice_id), None)

    async def list(self) -> Sequence[EmrConnection]:
        return sorted(self._t.emr_connections.values(), key=lambda c: c.practice_id)
