"""The provider dashboard's figures (counts only: no patient data), and who needs attention (names: the
console's dashboard shows them, its use case audits their ids)."""

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
    delivered_today: int = 0  # EMR pushes delivered since the start of the day
    emr_connections: Sequence[ConnectionHealth] = ()  # each EMR connection's delivery health


@dataclass(frozen=True)
class QuietPatient:
    """A monitored patient without an accepted reading since the window's `quiet_since`."""

    patient_id: str
    name: str
    last_reading_at: datetime | None  # None: no reading yet


@dataclass(frozen=True)
class LowBatteryDevice:
    device_id: str
    model_number: str
    battery_percent: int
    last_seen_at: datetime | None


@dataclass(frozen=True)
class NeedsAttention:
    """The quiet patients (longest quiet first) and low-battery devices (emptiest first), each list capped."""

    quiet_patients: Sequence[QuietPatient] = ()
    low_battery_devices: Sequence[LowBatteryDevice] = ()


@dataclass(frozen=True)
class DashboardWindow:
    """What "today", "recent" and "low" mean for one snapshot."""

    day_start: datetime
    quiet_since: datetime
    low_battery_percent: int = LOW_BATTERY_PERCENT
    practice_id: str | None = None  # one practice's patients (and their devices); None: all
