"""The provider dashboard: monitoring, alert and EMR-sync health at a glance."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, time

from application.auditing import Auditor
from application.connection_health import ReportConnectionHealth
from application.context import Actor
from domain.dashboard import QUIET_AFTER, DashboardSnapshot, DashboardWindow, NeedsAttention
from domain.ports import Clock, UnitOfWork

ATTENTION_LIMIT = 20


def window_at(now: datetime, actor: Actor) -> DashboardWindow:
    """Today (since midnight in the clock's zone) and "quiet" (no reading for QUIET_AFTER) for the actor's practice."""
    midnight = datetime.combine(now.date(), time(), now.tzinfo)
    return DashboardWindow(day_start=midnight, quiet_since=now - QUIET_AFTER, practice_id=actor.practice_id)


class ShowDashboard:
    """The actor's practice's figures (an administrator's: every practice's), EMR connections included."""

    def __init__(self, uow: UnitOfWork, clock: Clock, auditor: Auditor, connections: ReportConnectionHealth) -> None:
        self._uow = uow
        self._clock = clock
        self._auditor = auditor
        self._connections = connections

    async def __call__(self, actor: Actor) -> DashboardSnapshot:
        async with self._uow as uow:
            snapshot = await uow.dashboard.snapshot(window_at(self._clock.now(), actor))
        snapshot = replace(snapshot, emr_connections=await self._connections(actor.practice_id))
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
