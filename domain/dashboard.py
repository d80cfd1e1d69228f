"""The provider dashboard's figures (counts only: no patient data)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from domain.delivery_health import ConnectionHealth

LOW_BATTERY_PERCENT = 20
QUIET_AFTER = timedelta(days=3)


@dataclass(frozen=True)
class DashboardSnapshot:
    patients_monitored: int
    readings_today: int
    open_alerts: Mapping[str, int] = field(default_factory=dict)  # by severity
    alerts_without_push_target: int = 0
    patients_without_recent_reading: int = 0
    sync: Mapping[str, int] = field(default_factory=dict)  # EMR pushes by status
    low_battery_devices: int = 0
    emr_connections: Sequence[ConnectionHealth] = ()  # each EMR connection's delivery health


@dataclass(frozen=True)
class DashboardWindow:
    """What "today", "recent" and "low" mean for one snapshot."""

    day_start: datetime
    quiet_since: datetime
    low_battery_percent: int = LOW_BATTERY_PERCENT
    practice_id: str | None = None  # one practice's patients (and their devices); None: all
