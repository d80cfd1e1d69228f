"""The dashboard's figures as a handful of aggregate queries."""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.sql.tables import alerts, device_assignments, devices, outbox, patients, readings
from domain.alerts import AlertStatus
from domain.dashboard import DashboardSnapshot, DashboardWindow, LowBatteryDevice, NeedsAttention, QuietPatient
from domain.readings import ReadingStatus
from domain.sync import OutboxTopic, SyncStatus


class SqlDashboard:
    def __init__(self, connection: AsyncConnection) -> None:
        self._c = connection

    async def snapshot(self, window: DashboardWindow) -> DashboardSnapshot:
        in_practice = _patients_of(window.practice_id)
        monitored = _monitored(in_practice)
        accepted = and_(readings.c.status == ReadingStatus.ACCEPTED.value,
                        *_scoped(readings.c.patient_id, in_practice))
        recent = select(readings.c.patient_id).where(accepted, readings.c.measured_at_utc >= window.quiet_since)
        open_alerts = and_(alerts.c.status == AlertStatus.OPEN.value, *_scoped(alerts.c.patient_id, in_practice))
        by_severity = await self._c.execute(
            select(alerts.c.severity, func.count()).where(open_alerts).group_by(alerts.c.severity))
        sync = await self._c.execute(
            select(outbox.c.status, func.count()).where(outbox.c.topic == OutboxTopic.EMR_PUSH.value,
                                                        *_scoped(outbox.c.patient_id, in_practice))
            .group_by(outbox.c.status))
        sync_counts: dict[str, int] = {str(status): int(count) for status, count in sync.all()}
        delivered_today = select(outbox.c.id).where(
            outbox.c.topic == OutboxTopic.EMR_PUSH.value, outbox.c.status == SyncStatus.DELIVERED.value,
            outbox.c.updated_at >= window.day_start, *_scoped(outbox.c.patient_id, in_practice))
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
                devices.c.battery_percent.is_not(None), devices.c.battery_percent < window.low_battery_percent,
                *self._devices_of(in_practice)).subquery()),
            delivered_today=await self._count(delivered_today.subquery()),
        )

    async def needs_attention(self, window: DashboardWindow, limit: int) -> NeedsAttention:
        in_practice = _patients_of(window.practice_id)
        last = (select(readings.c.patient_id, func.max(readings.c.measured_at_utc).label("last"))
                .where(readings.c.status == ReadingStatus.ACCEPTED.value).group_by(readings.c.patient_id).subquery())
        quiet = await self._c.execute(
            select(patients.c.id, patients.c.name, last.c.last)
            .select_from(patients.outerjoin(last, last.c.patient_id == patients.c.id))
            .where(patients.c.id.in_(_monitored(in_practice)),
                   or_(last.c.last.is_(None), last.c.last < window.quiet_since))
            .order_by(last.c.last.asc().nulls_first(), patients.c.name, patients.c.id).limit(limit))
        low = await self._c.execute(
            select(devices.c.id, devices.c.model_number, devices.c.battery_percent, devices.c.last_seen_at)
            .where(devices.c.battery_percent.is_not(None), devices.c.battery_percent < window.low_battery_percent,
                   *self._devices_of(in_practice))
            .order_by(devices.c.battery_percent, devices.c.id).limit(limit))
        return NeedsAttention(
            tuple(QuietPatient(str(pid), str(name), at) for pid, name, at in quiet.all()),
            tuple(LowBatteryDevice(str(device), str(model), int(battery), seen)
                  for device, model, battery, seen in low.all()),
        )

    @staticmethod
    def _devices_of(in_practice: Select[tuple[str]] | None) -> list[ColumnElement[bool]]:
        if in_practice is None:
            return []
        assigned = select(device_assignments.c.device_id).where(
            device_assignments.c.ended_at.is_(None), device_assignments.c.patient_id.in_(in_practice))
        return [devices.c.id.in_(assigned)]

    async def _count(self, subquery: object) -> int:
        return int(await self._c.scalar(select(func.count()).select_from(subquery)) or 0)  # type: ignore[arg-type]


def _monitored(in_practice: Select[tuple[str]] | None) -> Select[tuple[str]]:
    """Active patients (of the practice) with a device assigned now."""
    return (
        select(device_assignments.c.patient_id).join(patients, patients.c.id == device_assignments.c.patient_id)
        .where(device_assignments.c.ended_at.is_(None), patients.c.active.is_(True),
               *_scoped(device_assignments.c.patient_id, in_practice)).distinct()
    )


def _patients_of(practice_id: str | None) -> Select[tuple[str]] | None:
    return None if practice_id is None else select(patients.c.id).where(patients.c.practice_id == practice_id)


def _scoped(column: ColumnElement[str], in_practice: Select[tuple[str]] | None) -> list[ColumnElement[bool]]:
    return [] if in_practice is None else [column.in_(in_practice)]
