"""Bodies of the audit trail and billing."""

from __future__ import annotations

from datetime import datetime

import msgspec


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
