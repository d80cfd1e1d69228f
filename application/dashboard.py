"""The provider dashboard: monitoring, alert and EMR-sync health at a glance."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, time

from application.auditing import Auditor
from application.connection_health import ReportConnectionHealth
from application.context import Actor
from domain.dashboard import QUIET_AFTER, DashboardSnapshot, DashboardWindow
from domain.ports import Clock, UnitOfWork


class ShowDashboard:
    """The actor's practice's figures (an administrator's: every practice's), EMR connections included."""

    def __init__(self, uow: UnitOfWork, clock: Clock, auditor: Auditor, connections: ReportConnectionHealth) -> None:
        self._uow = uow
        self._clock = clock
        self._auditor = auditor
        self._connections = connections

    async def __call__(self, actor: Actor) -> DashboardSnapshot:
        now = self._clock.now()
        midnight = datetime.combine(now.date(), time(), now.tzinfo)
        window = DashboardWindow(day_start=midnight, quiet_since=now - QUIET_AFTER, practice_id=actor.practice_id)
        async with self._uow as uow:
            snapshot = await uow.dashboard.snapshot(window)
        snapshot = replace(snapshot, emr_connections=await self._connections(actor.practice_id))
        await self._auditor.record(actor, "dashboard.read", "Dashboard")
        return snapshot
