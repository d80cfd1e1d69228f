"""The provider dashboard: monitoring, alert and EMR-sync health at a glance."""

from __future__ import annotations

from datetime import datetime, time

from application.auditing import Auditor
from application.context import Actor
from domain.dashboard import QUIET_AFTER, DashboardSnapshot, DashboardWindow, NeedsAttention
from domain.ports import Clock, UnitOfWork

ATTENTION_LIMIT = 20


def window_at(now: datetime, actor: Actor) -> DashboardWindow:
    """Today (since midnight in the clock's zone) and "quiet" (no reading for QUIET_AFTER) for the actor's practice."""
    midnight = datetime.combine(now.date(), time(), now.tzinfo)
    return DashboardWindow(day_start=midnight, quiet_since=now - QUIET_AFTER, practice_id=actor.practice_id)


class ShowDashboard:
    def __init__(self, uow: UnitOfWork, clock: Clock, auditor: Auditor) -> None:
        self._uow = uow
        self._clock = clock
        self._auditor = auditor

    async def __call__(self, actor: Actor) -> DashboardSnapshot:
        async with self._uow as uow:
            snapshot = await uow.dashboard.snapshot(window_at(self._clock.now(), actor))
        await self._auditor.record(actor, "dashboard.read", "Dashboard")
        return snapshot


class ShowNeedsAttention:
    """Who to look at first: the patients quiet for days and the devices running out of battery (capped);
    the patients named are audited by id."""

    def __init__(self, uow: UnitOfWork, clock: Clock, auditor: Auditor) -> None:
        self._uow = uow
        self._clock = clock
        self._auditor = auditor

    async def __call__(self, actor: Actor) -> NeedsAttention:
        async with self._uow as uow:
            found = await uow.dashboard.needs_attention(window_at(self._clock.now(), actor), ATTENTION_LIMIT)
        quiet = [q.patient_id for q in found.quiet_patients]
        await self._auditor.record(actor, "dashboard.attention", "Patient", quiet)
        return found
