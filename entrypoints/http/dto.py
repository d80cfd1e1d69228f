"""HTTP request and response bodies (msgspec Structs), mapped explicitly from domain types."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

import msgspec

AwareDatetime = Annotated[datetime, msgspec.Meta(tz=True)]
NonEmpty = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]


class TokenRequest(msgspec.Struct, forbid_unknown_fields=True):
    username: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    password: Annotated[str, msgspec.Meta(min_length=1, max_length=1024)]


class TokenResponse(msgspec.Struct):
    access_token: str
    expires_in: int
    token_type: str = "bearer"  # noqa: S105 - the OAuth token type, not a secret


class EmrPatientOut(msgspec.Struct):
    ecw_fhir_id: str
    name: str
    birth_date: date | None
    mrn: str | None


class EmrPatientsPage(msgspec.Struct):
    page: int
    page_size: int
    total: int | None
    patients: list[EmrPatientOut]


class ImportRequest(msgspec.Struct, forbid_unknown_fields=True):
    ecw_patient_ids: Annotated[list[NonEmpty], msgspec.Meta(min_length=1, max_length=500)]
    practice_id: str | None = None  # administrators only: the practice new patients join


class ImportedPatientOut(msgspec.Struct):
    vantrexia_id: str
    ecw_fhir_id: str
    name: str
    mrn: str | None


class ImportErrorOut(msgspec.Struct):
    ecw_fhir_id: str
    error: str


class ImportResponse(msgspec.Struct):
    imported: int
    skipped: int
    errors: list[ImportErrorOut]
    patients: list[ImportedPatientOut]
    updated: int = 0  # re-imported patients whose demographics changed in the EMR (listed in `patients`)


class AssignedDeviceOut(msgspec.Struct):
    device_id: str
    gateway_device_id: str
    model_number: str
    user_slot: str
    effective_from: datetime


class PatientOut(msgspec.Struct):
    id: str
    name: str
    birth_date: date | None
    mrn: str | None
    ecw_fhir_id: str
    active: bool


class PatientDetailOut(msgspec.Struct):
    id: str
    name: str
    birth_date: date | None
    mrn: str | None
    ecw_fhir_id: str
    active: bool
    phone: str | None
    address: str | None
    devices: list[AssignedDeviceOut]


class PatientsPage(msgspec.Struct):
    page: int
    page_size: int
    total: int
    patients: list[PatientOut]


class RegisterDeviceRequest(msgspec.Struct, forbid_unknown_fields=True):
    device_id: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    model_number: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]


class DeviceOut(msgspec.Struct):
    id: str
    device_id: str
    model_number: str
    registered_at: datetime | None
    last_seen_at: datetime | None


class DeviceDetailOut(msgspec.Struct):
    id: str
    device_id: str
    model_number: str
    registered_at: datetime | None
    first_seen_at: datetime | None
    last_seen_at: datetime | None
    battery_percent: int | None
    signal_bars: int | None
    firmware: str | None
    assignments: list[AssignmentOut]


class DevicesPage(msgspec.Struct):
    page: int
    page_size: int
    total: int
    devices: list[DeviceOut]


class AssignRequest(msgspec.Struct, forbid_unknown_fields=True):
    patient_id: NonEmpty
    effective_from: AwareDatetime | None = None
    user_slot: Annotated[str, msgspec.Meta(min_length=1, max_length=8)] = "1"


class UnassignRequest(msgspec.Struct, forbid_unknown_fields=True):
    user_slot: Annotated[str, msgspec.Meta(min_length=1, max_length=8)] | None = None


class AssignmentOut(msgspec.Struct):
    id: str
    device_id: str
    patient_id: str
    user_slot: str
    effective_from: datetime
    ended_at: datetime | None
    released_readings: int = 0


class WebhookAck(msgspec.Struct):
    status: str
    delivery_id: str
    reading_id: str | None = None
    reason: str | None = None


class QuantityOut(msgspec.Struct):
    value: float
    unit: str


class ReadingOut(msgspec.Struct):
    id: str
    kind: str
    status: str
    measured_at: datetime
    values: dict[str, QuantityOut]
    context: dict[str, str]
    device_id: str
    user_slot: str
    recorded_at: datetime
    reason: str | None


class ReadingsPage(msgspec.Struct):
    page: int
    page_size: int
    total: int
    readings: list[ReadingOut]


class SyncItemOut(msgspec.Struct):
    id: str
    reading_id: str | None
    resource_type: str
    code: str | None
    status: str
    http_status: int | None
    emr_resource_id: str | None
    attempts: int
    last_error: str | None
    updated_at: datetime


class SyncStatusOut(msgspec.Struct):
    patient_id: str
    items: list[SyncItemOut]


class HealthOut(msgspec.Struct):
    status: str
    database: str
    signing_key_age_days: int | None = None
    key_rotation_due: bool | None = None  # 90-day rotation policy


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


class AlertsPage(msgspec.Struct):
    page: int
    page_size: int
    total: int
    alerts: list[AlertOut]


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


class AuditEntryOut(msgspec.Struct):
    seq: int
    occurred_at: datetime
    actor: str
    action: str
    resource_type: str
    outcome: str
    resource_ids: list[str]
    request_id: str | None
    details: dict[str, str]
    sealed: bool


class AuditPage(msgspec.Struct):
    page: int
    page_size: int
    total: int
    entries: list[AuditEntryOut]


class BilledCodeOut(msgspec.Struct):
    code: str
    units: int
    reason: str


class NotBilledOut(msgspec.Struct):
    code: str
    reason: str


class PatientBillingOut(msgspec.Struct):
    patient_id: str
    name: str
    mrn: str | None
    codes: list[BilledCodeOut]
    not_billable: list[NotBilledOut]


class BillingOut(msgspec.Struct):
    month: str
    patients: list[PatientBillingOut]


class ReadingWithdrawnOut(msgspec.Struct):
    reading_id: str
    status: str
    withdrawals: list[str]
    already_withdrawn: bool


class LaunchLinkedOut(msgspec.Struct):
    status: str
    scope: str
    patient: str | None
    expires_in: int | None
