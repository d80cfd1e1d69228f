"""The dashboard's figures as a handful of aggregate queries."""

from __future__ import annotations

from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.sql.tables import alerts, device_assignments, devices, outbox, patients, readings
from domain.alerts import AlertStatus
from domain.dashboard import DashboardSnapshot, DashboardWindow
from domain.readings import ReadingStatus
from domain.sync import OutboxTopic


class SqlDashboard:
    def __init__(self, connection: AsyncConnection) -> None:
        self._c = connection

    async def snapshot(self, window: DashboardWindow) -> DashboardSnapshot:
        monitored = (
            select(device_assignments.c.patient_id).join(patients, patients.c.id == device_assignments.c.patient_id)
            .where(device_assignments.c.ended_at.is_(None), patients.c.active.is_(True)).distinct()
        )
        accepted = readings.c.status == ReadingStatus.ACCEPTED.value
        recent = select(readings.c.patient_id).where(accepted, readings.c.measured_at_utc >= window.quiet_since)
        open_alerts = alerts.c.status == AlertStatus.OPEN.value
        by_severity = await self._c.execute(
            select(alerts.c.severity, func.count()).where(open_alerts).group_by(alerts.c.severity))
        sync = await self._c.execute(
            select(outbox.c.status, func.count()).where(outbox.c.topic == OutboxTopic.EMR_PUSH.value)
            .group_by(outbox.c.status))
        sync_counts: dict[str, int] = {str(status): int(count) for status, count in sync.all()}
        return DashboardSnapshot(
            patients_monitored=await self._count(monitored.subquery()),
            readings_today=await self._count(
                select(readings.c.id).where(accepted, readings.c.measured_at_utc >= window.day_start).subquery()),
            open_alerts={str(severity): int(count) for severity, count in by_severity.all()},
            alerts_without_push_target=await self._count(
                select(alerts.c.id).where(open_alerts, alerts.c.no_push_target.is_(True)).subquery()),
            patients_without_recent_reading=await self._count(
                monitored.where(device_assignments.c.patient_id.not_in(recent)).subquery()),
            sync={status: int(sync_counts.get(status, 0)) for status in ("pending", "retrying", "dead")},
            low_battery_devices=await self._count(select(devices.c.id).where(
                and_(devices.c.battery_percent.is_not(None),
                     devices.c.battery_percent < window.low_battery_percent)).subquery()),
        )

    async def _count(self, subquery: object) -> int:
        return int(await self._c.scalar(select(func.count()).select_from(subquery)) or 0)  # type: ignore[arg-type]
