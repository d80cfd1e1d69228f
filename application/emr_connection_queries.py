"""What an administrator reads of the EMR connections: the stored ones and the one the ECW_* settings make."""

from __future__ import annotations

from collections.abc import Sequence

from application.access import require_every_practice
from application.context import Actor
from domain.emr_connections import FROM_SETTINGS, EmrConnection
from domain.errors import NotFound
from domain.ports import EmrDirectory, UnitOfWork

READ = "read EMR connections"


class EmrConnectionQueries:
    """Stored connections come from the database (inactive ones too); the settings' from the directory."""

    def __init__(self, uow: UnitOfWork, directory: EmrDirectory) -> None:
        self._uow = uow
        self._directory = directory

    async def list(self, actor: Actor) -> Sequence[EmrConnection]:
        """Every connection, by practice."""
        require_every_practice(actor, READ)
        async with self._uow as uow:
            stored = await uow.emr_connections.list()
        return sorted([*await self._from_settings(), *stored], key=lambda c: (c.practice_id, c.id))

    async def get(self, actor: Actor, connection_id: str) -> EmrConnection:
        require_every_practice(actor, READ)
        if connection_id == FROM_SETTINGS:
            found = next(iter(await self._from_settings()), None)
        else:
            async with self._uow as uow:
                found = await uow.emr_connections.get(connection_id)
        if found is None:
            raise NotFound("EMR connection", connection_id)
        return found

    async def _from_settings(self) -> Sequence[EmrConnection]:
        return [c for c in await self._directory.connections() if c.id == FROM_SETTINGS]
