"""The provider dashboard: monitoring, alert and EMR-sync health at a glance."""

from __future__ import annotations

from datetime import datetime, time

from application.auditing import Auditor
from application.context import Actor
from domain.dashboard import QUIET_AFTER, DashboardSnapshot, DashboardWindow
from domain.ports import Clock, UnitOfWork


class ShowDashboard:
    def __init__(self, uow: UnitOfWork, clock: Clock, auditor: Auditor) -> None:
        self._uow = uow
        self._clock = clock
        self._auditor = auditor

    async def __call__(self, actor: Actor) -> DashboardSnapshot:
        now = self._clock.now()
        midnight = datetime.combine(now.date(), time(), now.tzinfo)
        window = DashboardWindow(day_start=midnight, quiet_since=now - QUIET_AFTER, practice_id=actor.practice_id)
        async with self._uow as uow:
            snapshot = await uow.dashboard.snapshot(window)
        await self._auditor.record(actor, "dashboard.read", "Dashboard")
        return snapshot
