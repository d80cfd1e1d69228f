"""Bodies of patients, their readings and EMR sync status."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import msgspec


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
    emr_patient_id: str
    active: bool


class PatientDetailOut(PatientOut):
    phone: str | None
    address: str | None
    devices: list[AssignedDeviceOut]



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


class ReadingWithdrawnOut(msgspec.Struct):
    reading_id: str
    status: str
    withdrawals: list[str]
    already_withdrawn: bool


class WebhookAck(msgspec.Struct):
    status: str
    delivery_id: str
    reading_id: str | None = None
    reason: str | None = None


class EmrConnectionHealthOut(msgspec.Struct):
    """One practice's EMR connection as the relay last saw it (a failure's reason never carries patient data)."""

    practice_id: str
    last_success_at: datetime | None
    last_failure_at: datetime | None
    last_failure: str | None  # the EMR error's message
    last_failure_http_status: int | None
    backlog: int  # the practice's EMR items waiting (pending or retrying)


class HealthOut(msgspec.Struct):
    status: str
    database: str
    signing_key_age_days: int | None = None
    key_rotation_due: bool | None = None  # 90-day rotation policy
    emr_connections: list[EmrConnectionHealthOut] = msgspec.field(default_factory=list)


class JwksOut(msgspec.Struct):
    """A JSON Web Key Set (RFC 7517): the public keys our EMR client assertions are verified with."""

    keys: list[dict[str, str]]


class FhirBundleEntryOut(msgspec.Struct, rename="camel"):
    full_url: str
    resource: dict[str, Any]


class FhirBundleOut(msgspec.Struct, rename="camel"):
    """A FHIR R4 Bundle of type collection."""

    resource_type: str
    type: str
    entry: list[FhirBundleEntryOut]


class VitalsReportOut(msgspec.Struct):
    patient_id: str
    start: datetime = msgspec.field(name="from")
    end: datetime = msgspec.field(name="to")
    thresholds: dict[str, float]
    readings: list[ReadingOut]
