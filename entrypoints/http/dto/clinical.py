"""Bodies of alerts, thresholds, push tokens, the dashboard and care records."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

import msgspec

from entrypoints.http.dto.patients import EmrConnectionHealthOut
from entrypoints.http.dto.types import AwareDatetime


class AlertOut(msgspec.Struct):
    id: str
    patient_id: str
    reading_id: str
    rule: str
    severity: str
    status: str
    summary: str
    raised_at: datetime
    acknowledged_by: str | None
    acknowledged_at: datetime | None
    resolved_by: str | None
    resolved_at: datetime | None
    resolution_note: str | None
    escalation_level: int
    no_push_target: bool



class ResolveRequest(msgspec.Struct, forbid_unknown_fields=True):
    note: Annotated[str, msgspec.Meta(min_length=1, max_length=2000)]


class ThresholdsBody(msgspec.Struct):
    """Threshold name → value (units as in DESIGN.md §7: mmHg, %, /min, mg/dL, lb)."""

    thresholds: dict[str, Annotated[float, msgspec.Meta(ge=0, le=10_000)]]


class PushTokenRequest(msgspec.Struct, forbid_unknown_fields=True):
    token: Annotated[str, msgspec.Meta(min_length=20, max_length=4096)]
    platform: Literal["android", "ios", "web"] = "android"


class PushTokenOut(msgspec.Struct):
    id: str
    platform: str
    active: bool
    registered_at: datetime


class DashboardOut(msgspec.Struct):
    patients_monitored: int
    readings_today: int
    open_alerts: dict[str, int]
    alerts_without_push_target: int
    patients_without_reading_3_days: int
    emr_sync: dict[str, int]
    low_battery_devices: int
    emr_connections: list[EmrConnectionHealthOut]  # the viewer's practice's connection (an admin: every one)


class ConsentRequest(msgspec.Struct, forbid_unknown_fields=True):
    rpm_consent: bool
    recorded_at: AwareDatetime | None = None


class ConsentOut(msgspec.Struct):
    patient_id: str
    rpm_consent: bool
    recorded_at: datetime
    recorded_by: str


class TimeEntryRequest(msgspec.Struct, forbid_unknown_fields=True):
    minutes: Annotated[int, msgspec.Meta(ge=1, le=240)]
    interactive: bool
    performed_on: date | None = None


class TimeEntryOut(msgspec.Struct):
    id: str
    patient_id: str
    user_id: str
    performed_on: date
    minutes: int
    interactive: bool
