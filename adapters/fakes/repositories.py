"""In-memory repositories working on one transaction's snapshot of the tables."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import TypeVar

from adapters.fakes.store import Tables
from domain.deliveries import Delivery, FailedDelivery
from domain.devices import Device, DeviceAssignment, KnownDevices
from domain.errors import Conflict
from domain.patients import Patient
from domain.sync import OutboxItem, OutboxTopic, SyncAttempt, SyncStatus, in_fair_order, within_room
from domain.users import Role, User

T = TypeVar("T")


class InMemoryRepository:
    def __init__(self, tables: Tables) -> None:
        self._t = tables


class InMemoryPatientRepository(InMemoryRepository):
    async def add(self, patient: Patient) -> None:
        self._t.patients[patient.id] = patient

    async def save(self, patient: Patient) -> None:
        self._t.patients[patient.id] = patient

    async def get(self, patient_id: str) -> Patient | None:
        return self._t.patients.get(patient_id)

    async def get_many(self, ids: Sequence[str]) -> Mapping[str, Patient]:
        return {i: self._t.patients[i] for i in ids if i in self._t.patients}

    async def by_emr_id(self, emr_patient_id: str) -> Patient | None:
        return next((p for p in self._t.patients.values() if p.emr_patient_id == emr_patient_id), None)

    async def list(
        self, offset: int, limit: int, practice_id: str | None = None
    ) -> tuple[Sequence[Patient], int]:
        ordered = sorted((p for p in self._t.patients.values() if practice_id in (None, p.practice_id)),
                         key=lambda p: (p.imported_at, p.id))
        return ordered[offset : offset + limit], len(ordered)

    async def search(
        self, name: str, offset: int, limit: int, practice_id: str | None = None
    ) -> tuple[Sequence[Patient], int]:
        wanted = name.casefold()
        ordered = sorted((p for p in self._t.patients.values()
                          if practice_id in (None, p.practice_id) and wanted in p.name.casefold()),
                         key=lambda p: (p.name, p.id))
        return ordered[offset : offset + limit], len(ordered)

    async def by_emr_ids(self, emr_patient_ids: Sequence[str]) -> Mapping[str, Patient]:
        wanted = set(emr_patient_ids)
        return {p.emr_patient_id: p for p in self._t.patients.values() if p.emr_patient_id in wanted}


class InMemoryDeviceRepository(InMemoryRepository):
    async def add(self, device: Device) -> None:
        self._t.devices[device.id] = device

    async def save(self, device: Device) -> None:
        self._t.devices[device.id] = device

    async def observe_many(self, devices: Sequence[Device]) -> None:
        for device in devices:
            stored = self._t.devices.get(device.id)
            if stored is None:
                continue
            seen = max(filter(None, (stored.last_seen_at, device.last_seen_at)), default=None)
            self._t.devices[device.id] = replace(
                stored, last_seen_at=seen, battery_percent=_reported(device.battery_percent, stored.battery_percent),
                signal_bars=_reported(device.signal_bars, stored.signal_bars),
                firmware=_reported(device.firmware, stored.firmware))

    async def seen(self, device: Device) -> Device:
        stored = await self.by_gateway_id(device.gateway_device_id)
        if stored is None:
            stored = device
        elif stored.last_seen_at is None or (device.last_seen_at and device.last_seen_at > stored.last_seen_at):
            stored = replace(stored, last_seen_at=device.last_seen_at)
        self._t.devices[stored.id] = stored
        return stored

    async def get(self, device_id: str) -> Device | None:
        return self._t.devices.get(device_id)

    async def get_many(self, ids: Sequence[str]) -> Mapping[str, Device]:
        return {i: self._t.devices[i] for i in ids if i in self._t.devices}

    async def by_gateway_id(self, gateway_device_id: str) -> Device | None:
        return next(
            (d for d in self._t.devices.values() if d.gateway_device_id == gateway_device_id), None
        )

    async def by_gateway_ids(self, gateway_device_ids: Sequence[str]) -> Mapping[str, Device]:
        wanted = set(gateway_device_ids)
        return {d.gateway_device_id: d for d in self._t.devices.values() if d.gateway_device_id in wanted}

    async def known_for_intake(self, gateway_device_ids: Sequence[str]) -> KnownDevices:
        found = await self.by_gateway_ids(gateway_device_ids)
        histories = await self.assignments_of_devices([d.id for d in found.values()])
        patients = {a.patient_id for history in histories.values() for a in history}
        return KnownDevices(found, histories, {p: dict(self._t.thresholds.get(p, {})) for p in patients})

    async def list(
        self, offset: int, limit: int, practice_id: str | None = None
    ) -> tuple[Sequence[Device], int]:
        ordered = sorted((d for d in self._t.devices.values() if practice_id in (None, d.practice_id)),
                         key=lambda d: d.id)
        return ordered[offset : offset + limit], len(ordered)

    async def add_assignment(self, assignment: DeviceAssignment) -> None:
        self._t.assignments[assignment.id] = assignment

    async def save_assignment(self, assignment: DeviceAssignment) -> None:
        self._t.assignments[assignment.id] = assignment

    async def assignments(self, device_id: str) -> Sequence[DeviceAssignment]:
        found = [a for a in self._t.assignments.values() if a.device_id == device_id]
        return sorted(found, key=lambda a: (a.effective_from, a.id))

    async def assignments_of_patient(self, patient_id: str) -> Sequence[DeviceAssignment]:
        found = [a for a in self._t.assignments.values() if a.patient_id == patient_id]
        return sorted(found, key=lambda a: (a.effective_from, a.id))

    async def assignments_of_devices(self, device_ids: Sequence[str]) -> Mapping[str, Sequence[DeviceAssignment]]:
        histories = {device_id: await self.assignments(device_id) for device_id in set(device_ids)}
        return {device_id: found for device_id, found in histories.items() if found}


class InMemoryDeliveryRepository(InMemoryRepository):
    async def add_if_new(self, delivery: Delivery) -> bool:
        if await self.by_webhook_id(delivery.source, delivery.webhook_id) is not None:
            return False
        self._t.deliveries[delivery.id] = delivery
        return True

    async def add_many_if_new(self, deliveries: Sequence[Delivery]) -> set[str]:
        return {delivery.id for delivery in deliveries if await self.add_if_new(delivery)}

    async def save(self, delivery: Delivery) -> None:
        self._t.deliveries[delivery.id] = delivery

    async def save_many(self, deliveries: Sequence[Delivery]) -> None:
        for delivery in deliveries:
            self._t.deliveries[delivery.id] = delivery

    async def by_webhook_id(self, source: str, webhook_id: str) -> Delivery | None:
        return next(
            (d for d in self._t.deliveries.values()
             if d.source == source and d.webhook_id == webhook_id),
            None,
        )

    async def add_failed(self, failed: FailedDelivery) -> None:
        self._t.failed_deliveries[failed.id] = failed


class InMemoryOutboxRepository(InMemoryRepository):
    async def add(self, item: OutboxItem) -> None:
        self._t.outbox[item.id] = item

    async def add_many(self, items: Sequence[OutboxItem]) -> None:
        for item in items:
            self._t.outbox[item.id] = item

    async def save(self, item: OutboxItem) -> None:
        self._t.outbox[item.id] = item
        self._t.leases.pop(item.id, None)

    async def get(self, item_id: str) -> OutboxItem | None:
        return self._t.outbox.get(item_id)

    async def claim_due(
        self, topics: Sequence[str], now: datetime, limit: int, owner: str, lease: timedelta,
        room: Mapping[str, Mapping[str, int]] | None = None,
    ) -> Sequence[OutboxItem]:
        rank = {topic: n for n, topic in enumerate(topics)}
        due = [i for i in self._t.outbox.values()
               if i.topic in rank and i.status in (SyncStatus.PENDING, SyncStatus.RETRYING)
               and i.next_attempt_at <= now and not self._leased(i.id, now)]
        claimed = within_room(in_fair_order(due, topics), room or {})[:limit]
        for item in claimed:
            self._t.leases[item.id] = (owner, (now + lease).timestamp())
        return claimed

    async def record_outcomes(self, items: Sequence[OutboxItem], attempts: Sequence[SyncAttempt]) -> None:
        for item in items:
            await self.save(item)
        for attempt in attempts:
            await self.add_attempt(attempt)

    def _leased(self, item_id: str, now: datetime) -> bool:
        held = self._t.leases.get(item_id)
        return held is not None and held[1] > now.timestamp()

    async def for_patient(self, patient_id: str) -> Sequence[OutboxItem]:
        found = [
            i for i in self._t.outbox.values()
            if i.patient_id == patient_id and i.topic == OutboxTopic.EMR_PUSH
        ]
        return sorted(found, key=lambda i: (i.created_at, i.id), reverse=True)

    async def for_reading(self, reading_id: str) -> Sequence[OutboxItem]:
        found = [i for i in self._t.outbox.values() if i.reading_id == reading_id]
        return sorted(found, key=lambda i: (i.created_at, i.code or ""))

    async def backlog(self) -> Sequence[tuple[str, int, datetime | None]]:
        waiting = [i for i in self._t.outbox.values() if i.status in (SyncStatus.PENDING, SyncStatus.RETRYING)]
        return [(topic.value, sum(i.topic == topic for i in waiting),
                 min((i.created_at for i in waiting if i.topic == topic), default=None)) for topic in OutboxTopic]

    async def add_attempt(self, attempt: SyncAttempt) -> None:
        self._t.attempts[attempt.id] = attempt

    async def attempts(self, item_id: str) -> Sequence[SyncAttempt]:
        found = [a for a in self._t.attempts.values() if a.item_id == item_id]
        return sorted(found, key=lambda a: (a.attempted_at, a.id))


class InMemoryUserRepository(InMemoryRepository):
    async def add(self, user: User) -> None:
        if await self.by_username(user.username) is not None:
            raise Conflict(f"username {user.username!r} is taken")
        self._t.users[user.id] = user

    async def get(self, user_id: str) -> User | None:
        return self._t.users.get(user_id)

    async def by_username(self, username: str) -> User | None:
        return next((u for u in self._t.users.values() if u.username == username), None)

    async def active_with_role(self, role: Role, practice_id: str | None = None) -> Sequence[User]:
        return sorted((u for u in self._t.users.values()
                       if u.active and u.role is role and practice_id in (None, u.practice_id)), key=lambda u: u.id)


def _reported(value: T | None, stored: T | None) -> T | None:
    return stored if value is None else value
