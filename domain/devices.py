"""Devices on the gateway and their assignment to patients over time."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

DEFAULT_USER_SLOT = "1"


@dataclass(frozen=True)
class Device:
    """A cellular home device.

    `gateway_device_id` is the device cloud's id (an IMEI): an identifier that must never
    appear in logs or audit details; refer to the device by `id`. `registered_at` is None for a
    device that has sent data but was never registered by the clinic. `practice_id` is the practice
    whose clinicians may see and assign the device: set at registration, None until then (such a
    device belongs to nobody; administrators only see it).
    """

    id: str
    gateway_device_id: str
    model_number: str
    registered_at: datetime | None
    first_seen_at: datetime | None = None
    last_seen_at: datetime | None = None
    battery_percent: int | None = None
    signal_bars: int | None = None
    firmware: str | None = None
    practice_id: str | None = None

    @property
    def registered(self) -> bool:
        return self.registered_at is not None


@dataclass(frozen=True)
class DeviceAssignment:
    """A device's user slot serving one patient from `effective_from` until `ended_at`."""

    id: str
    device_id: str
    patient_id: str
    user_slot: str
    effective_from: datetime
    ended_at: datetime | None = None

    def covers(self, moment: datetime) -> bool:
        """Whether a measurement taken at `moment` belongs to this assignment."""
        if moment < self.effective_from:
            return False
        return self.ended_at is None or moment < self.ended_at

    @property
    def active(self) -> bool:
        return self.ended_at is None


def assignment_at(
    assignments: Iterable[DeviceAssignment], user_slot: str, moment: datetime
) -> DeviceAssignment | None:
    """The assignment of `user_slot` that covers `moment`, if any."""
    for assignment in assignments:
        if assignment.user_slot == user_slot and assignment.covers(moment):
            return assignment
    return None


@dataclass(frozen=True)
class KnownDevices:
    """What the intake knows of a page's devices before deciding it: the devices found, by gateway id;
    their assignment histories, oldest first, by device id; and the threshold overrides of every patient
    in those histories, by patient id (empty: the patient overrides nothing)."""

    devices: Mapping[str, Device]
    histories: Mapping[str, Sequence[DeviceAssignment]]
    overrides: Mapping[str, Mapping[str, Decimal]]
