"""The in-memory database behind FakeUnitOfWork: dicts of frozen domain objects."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field, fields
from datetime import datetime
from decimal import Decimal

from domain.alerts import Alert
from domain.care import RpmConsent, TimeEntry
from domain.deliveries import Delivery, FailedDelivery
from domain.delivery_health import ConnectionHealth
from domain.devices import Device, DeviceAssignment
from domain.emr_connections import EmrConnection
from domain.notifications import PushToken
from domain.patients import Patient
from domain.readings import Reading
from domain.sync import OutboxItem, SyncAttempt
from domain.users import User


@dataclass
class Tables:
    """One snapshot of every table. Values are immutable, so a shallow copy isolates it."""

    patients: dict[str, Patient] = field(default_factory=dict)
    devices: dict[str, Device] = field(default_factory=dict)
    assignments: dict[str, DeviceAssignment] = field(default_factory=dict)
    readings: dict[str, Reading] = field(default_factory=dict)
    deliveries: dict[str, Delivery] = field(default_factory=dict)
    failed_deliveries: dict[str, FailedDelivery] = field(default_factory=dict)
    outbox: dict[str, OutboxItem] = field(default_factory=dict)
    leases: dict[str, tuple[str, float]] = field(default_factory=dict)
    attempts: dict[str, SyncAttempt] = field(default_factory=dict)
    alerts: dict[str, Alert] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    thresholds: dict[str, dict[str, Decimal]] = field(default_factory=dict)
    push_tokens: dict[str, PushToken] = field(default_factory=dict)
    consents: dict[str, RpmConsent] = field(default_factory=dict)
    time_entries: dict[str, TimeEntry] = field(default_factory=dict)
    revoked_tokens: dict[str, datetime] = field(default_factory=dict)
    emr_connections: dict[str, EmrConnection] = field(default_factory=dict)
    delivery_health: dict[str, ConnectionHealth] = field(default_factory=dict)

    def copy(self) -> Tables:
        return Tables(**{f.name: dict(getattr(self, f.name)) for f in fields(self)})


class InMemoryStore:
    """Committed state plus a lock that serialises transactions (like SERIALIZABLE)."""

    def __init__(self) -> None:
        self.committed = Tables()
        self.lock = asyncio.Lock()
        self.commits = 0
