"""ReportConnectionHealth: each EMR connection's delivery health, for GET /health and the dashboard."""

from __future__ import annotations

from domain.delivery_health import ConnectionHealth, with_connections
from domain.ports import EmrDirectory, UnitOfWork


class ReportConnectionHealth:
    """Every connection in use (an empty record while nothing was sent yet) and every practice whose EMR
    items wait or were sent: last success, last failure (reason, HTTP status), backlog."""

    def __init__(self, uow: UnitOfWork, directory: EmrDirectory) -> None:
        self._uow = uow
        self._directory = directory

    async def __call__(self, practice_id: str | None = None) -> list[ConnectionHealth]:
        """All practices' (None), or only `practice_id`'s (a clinician's own)."""
        async with self._uow as uow:
            found = await uow.delivery_health.report(practice_id)
        connected = [c.practice_id for c in await self._directory.connections()]
        return with_connections(found, [p for p in connected if practice_id in (None, p)])
