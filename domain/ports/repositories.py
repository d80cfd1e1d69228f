"""Repositories and the unit of work that makes their changes atomic."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from types import TracebackType
from typing import Protocol, Self

from domain.deliveries import Delivery, FailedDelivery
from domain.devices import Device, DeviceAssignment, KnownDevices
from domain.observations import ObservationSource
from domain.patients import Patient
from domain.ports.audit import AuditEntries
from domain.ports.delivery_health import DeliveryHealthRepository
from domain.ports.emr_directory import EmrConnectionRepository
from domain.ports.repositories_care import (
    AlertRepository,
    CareRecordRepository,
    DashboardReadModel,
    PushTokenRepository,
    ThresholdRepository,
    TokenRevocations,
    UserRepository,
)
from domain.quarantine import QuarantinedSlot
from domain.readings import Reading
from domain.sync import OutboxItem, SyncAttempt


class PatientRepository(Protocol):
    async def add(self, patient: Patient) -> None: ...
    async def save(self, patient: Patient) -> None: ...
    async def get(self, patient_id: str) -> Patient | None: ...
    async def get_many(self, ids: Sequence[str]) -> Mapping[str, Patient]:
        """The patients found among `ids`, by id (one query for a whole batch)."""
        ...
    async def by_emr_id(self, emr_patient_id: str) -> Patient | None: ...
    async def list(
        self, offset: int, limit: int, practice_id: str | None = None
    ) -> tuple[Sequence[Patient], int]:
        """A page of patients in import order (of one practice, when given) and the total."""
        ...
    async def search(
        self, name: str, offset: int, limit: int, practice_id: str | None = None
    ) -> tuple[Sequence[Patient], int]:
        """A page of the patients whose name contains `name` (any case; of one practice, when given), by name,
        and the total."""
        ...
    async def by_emr_ids(self, emr_patient_ids: Sequence[str]) -> Mapping[str, Patient]:
        """The patients found among these EMR ids, by EMR id (one query for a page of the EMR's list)."""
        ...


class DeviceRepository(Protocol):
    async def add(self, device: Device) -> None: ...
    async def save(self, device: Device) -> None: ...
    async def observe_many(self, devices: Sequence[Device]) -> None:
        """Store what the devices told us about themselves — last seen (moved up only), battery, signal,
        firmware (each kept as stored where None: not reported) — leaving who owns them (registration,
        practice) as it is stored now."""
        ...
    async def seen(self, device: Device) -> Device:
        """The device with `device`'s gateway id as it is now stored: `device` itself on first contact,
        otherwise the stored one with its last-seen time moved up to `device.last_seen_at` if later.
        One statement, safe against a concurrent first contact."""
        ...
    async def get(self, device_id: str) -> Device | None: ...
    async def get_many(self, ids: Sequence[str]) -> Mapping[str, Device]:
        """The devices found among `ids`, by id (one query for a whole batch)."""
        ...
    async def by_gateway_id(self, gateway_device_id: str) -> Device | None: ...
    async def by_gateway_ids(self, gateway_device_ids: Sequence[str]) -> Mapping[str, Device]:
        """The devices found among these gateway ids, by gateway id (one query for a page of a sync)."""
        ...
    async def known_for_intake(self, gateway_device_ids: Sequence[str]) -> KnownDevices:
        """`by_gateway_ids`, the found devices' `assignments_of_devices`, and the threshold overrides of
        the patients in those histories, in one query where the store allows (the intake reads all three
        per page)."""
        ...
    async def list(
        self, offset: int, limit: int, practice_id: str | None = None
    ) -> tuple[Sequence[Device], int]:
        """A page of devices in id order and the total; only one practice's when `practice_id` is given."""
        ...
    async def add_assignment(self, assignment: DeviceAssignment) -> None: ...
    async def save_assignment(self, assignment: DeviceAssignment) -> None: ...
    async def assignments(self, device_id: str) -> Sequence[DeviceAssignment]:
        """Every assignment of the device, oldest first (the history)."""
        ...
    async def assignments_of_patient(self, patient_id: str) -> Sequence[DeviceAssignment]: ...
    async def assignments_of_devices(self, device_ids: Sequence[str]) -> Mapping[str, Sequence[DeviceAssignment]]:
        """Each device's assignment history, oldest first (devices without one are left out)."""
        ...


class ReadingRepository(Protocol):
    async def add_if_new(self, reading: Reading) -> bool:
        """Store unless a reading with the same device, slot, time and kind exists."""
        ...
    async def add_many_if_new(self, readings: Sequence[Reading]) -> set[str]:
        """`add_if_new` for several at once (a later one in the list can be a duplicate of an earlier
        one); the ids of those stored."""
        ...
    async def add_many_with_deliveries(
        self, deliveries: Sequence[Delivery], readings: Sequence[Reading]
    ) -> tuple[set[str], set[str]]:
        """`DeliveryRepository.add_many_if_new` for the deliveries, then `add_many_if_new` for the readings
        whose delivery was stored by it, as one step (on Postgres one statement): the ids of the deliveries
        stored and of the readings stored."""
        ...
    async def save(self, reading: Reading) -> None: ...
    async def get(self, reading_id: str) -> Reading | None: ...
    async def get_many(self, ids: Sequence[str]) -> Mapping[str, Reading]:
        """The readings found among `ids`, by id (one query for a whole batch)."""
        ...
    async def observation_sources(self, ids: Sequence[str]) -> Mapping[str, ObservationSource]:
        """The readings found among `ids` whose patient and device are known, each with its patient's EMR id
        and practice and its device's model, by reading id (one query for a whole batch)."""
        ...
    async def for_patient(
        self, patient_id: str, offset: int, limit: int
    ) -> tuple[Sequence[Reading], int]: ...
    async def between(self, patient_id: str, start: datetime, end: datetime) -> Sequence[Reading]:
        """The patient's accepted readings measured in [start, end), oldest first."""
        ...
    async def quarantined(self, device_id: str, user_slot: str, since: datetime) -> Sequence[Reading]:
        """Quarantined readings of a device slot measured at or after `since`."""
        ...
    async def quarantined_slots(
        self, offset: int, limit: int, practice_id: str | None = None, device_id: str | None = None
    ) -> tuple[Sequence[QuarantinedSlot], int]:
        """A page of the device slots holding quarantined readings, latest measured first, and the total;
        only those of one practice's devices when `practice_id` is given, of one device when `device_id` is."""
        ...


class DeliveryRepository(Protocol):
    async def add_if_new(self, delivery: Delivery) -> bool:
        """Store unless a delivery with the same source and webhook id exists."""
        ...
    async def add_many_if_new(self, deliveries: Sequence[Delivery]) -> set[str]:
        """`add_if_new` for several at once; the ids of those stored."""
        ...
    async def save(self, delivery: Delivery) -> None: ...
    async def save_many(self, deliveries: Sequence[Delivery]) -> None: ...
    async def by_webhook_id(self, source: str, webhook_id: str) -> Delivery | None: ...
    async def add_failed(self, failed: FailedDelivery) -> None:
        """Keep a delivery that could not be taken in, for diagnosis (never counted as received)."""
        ...


class OutboxRepository(Protocol):
    async def add(self, item: OutboxItem) -> None: ...
    async def add_many(self, items: Sequence[OutboxItem]) -> None:
        """Several items in one statement (a reading's Observations)."""
        ...
    async def save(self, item: OutboxItem) -> None:
        """Persist the item's new state and release any claim on it."""
        ...
    async def get(self, item_id: str) -> OutboxItem | None: ...
    async def claim_due(
        self, topics: Sequence[str], now: datetime, limit: int, owner: str, lease: timedelta,
        room: Mapping[str, Mapping[str, int]] | None = None,
    ) -> Sequence[OutboxItem]:
        """Lease up to `limit` due items of these topics (pending/retrying, unclaimed or lease expired),
        fairly across practices: each practice's first item, then each one's second, ...; within a
        practice (and within a round) earlier topics first, then by due time. `room`: by topic, practices
        of which at most that many items of that topic are taken now (0: none, they stay where they are).
        One statement; rows another claimer holds are skipped."""
        ...
    async def record_outcomes(self, items: Sequence[OutboxItem], attempts: Sequence[SyncAttempt]) -> None:
        """Items' new states (claims released) and the attempts made, in few statements."""
        ...
    async def for_patient(self, patient_id: str) -> Sequence[OutboxItem]: ...
    async def for_reading(self, reading_id: str) -> Sequence[OutboxItem]: ...
    async def backlog(self) -> Sequence[tuple[str, int, datetime | None]]:
        """Per topic: how many items wait (pending or retrying), and the oldest one's creation time."""
        ...
    async def add_attempt(self, attempt: SyncAttempt) -> None: ...
    async def attempts(self, item_id: str) -> Sequence[SyncAttempt]: ...


class UnitOfWork(Protocol):
    """One transaction over every repository: `async with uow:` ... `await uow.commit()`."""

    patients: PatientRepository
    devices: DeviceRepository
    readings: ReadingRepository
    deliveries: DeliveryRepository
    outbox: OutboxRepository
    alerts: AlertRepository
    users: UserRepository
    thresholds: ThresholdRepository
    push_tokens: PushTokenRepository
    dashboard: DashboardReadModel
    care: CareRecordRepository
    revocations: TokenRevocations
    emr_connections: EmrConnectionRepository
    delivery_health: DeliveryHealthRepository
    audit: AuditEntries

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    async def commit(self) -> None: ...

    async def rollback(self) -> None: ...
