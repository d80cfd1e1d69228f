"""The dashboard's figures computed from the in-memory tables."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from adapters.fakes.store import Tables
from domain.alerts import AlertStatus
from domain.dashboard import DashboardSnapshot, DashboardWindow, LowBatteryDevice, NeedsAttention, QuietPatient
from domain.readings import ReadingStatus
from domain.sync import OutboxTopic, SyncStatus


class InMemoryDashboard:
    def __init__(self, tables: Tables) -> None:
        self._t = tables

    async def snapshot(self, window: DashboardWindow) -> DashboardSnapshot:
        ours = {p.id for p in self._t.patients.values() if window.practice_id in (None, p.practice_id)}
        monitored = {a.patient_id for a in self._t.assignments.values() if a.active and a.patient_id in ours
                     and (p := self._t.patients.get(a.patient_id)) is not None and p.active}
        accepted = [r for r in self._t.readings.values() if r.status is ReadingStatus.ACCEPTED and r.patient_id in ours]
        recent = {r.patient_id for r in accepted if r.measured_at >= window.quiet_since}
        open_alerts = [a for a in self._t.alerts.values() if a.status is AlertStatus.OPEN and a.patient_id in ours]
        emr_pushes = [i for i in self._t.outbox.values() if i.topic == OutboxTopic.EMR_PUSH and i.patient_id in ours]
        pushes = Counter(i.status.value for i in emr_pushes if i.status is not SyncStatus.DELIVERED)
        devices = {a.device_id for a in self._t.assignments.values() if a.active and a.patient_id in ours}
        return DashboardSnapshot(
            patients_monitored=len(monitored),
            readings_today=sum(r.measured_at >= window.day_start for r in accepted),
            open_alerts=dict(Counter(a.severity.value for a in open_alerts)),
            alerts_without_push_target=sum(a.no_push_target for a in open_alerts),
            patients_without_recent_reading=len(monitored - recent),
            sync={status: pushes.get(status, 0) for status in ("pending", "retrying", "dead")},
            low_battery_devices=sum(d.battery_percent is not None and d.battery_percent < window.low_battery_percent
                                    and (window.practice_id is None or d.id in devices)
                                    for d in self._t.devices.values()),
            delivered_today=sum(i.status is SyncStatus.DELIVERED and i.updated_at >= window.day_start
                                for i in emr_pushes),
        )

    async def needs_attention(self, window: DashboardWindow, limit: int) -> NeedsAttention:
        ours = {p.id: p for p in self._t.patients.values() if window.practice_id in (None, p.practice_id)}
        monitored = {a.patient_id for a in self._t.assignments.values()
                     if a.active and a.patient_id in ours and ours[a.patient_id].active}
        last: dict[str, datetime] = {}
        for r in self._t.readings.values():
            if r.status is ReadingStatus.ACCEPTED and r.patient_id in monitored:
                last[r.patient_id] = max(last.get(r.patient_id, r.measured_at), r.measured_at)
        quiet = [QuietPatient(pid, ours[pid].name, last.get(pid)) for pid in monitored
                 if pid not in last or last[pid] < window.quiet_since]
        quiet.sort(key=lambda q: (q.last_reading_at is not None, q.last_reading_at or window.day_start, q.name,
                                  q.patient_id))
        devices = {a.device_id for a in self._t.assignments.values() if a.active and a.patient_id in ours}
        low = [LowBatteryDevice(d.id, d.model_number, d.battery_percent, d.last_seen_at)
               for d in self._t.devices.values()
               if d.battery_percent is not None and d.battery_percent < window.low_battery_percent
               and (window.practice_id is None or d.id in devices)]
        low.sort(key=lambda d: (d.battery_percent, d.device_id))
        return NeedsAttention(tuple(quiet[:limit]), tuple(low[:limit]))
