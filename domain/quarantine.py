"""Quarantine: readings a device slot sent while it served nobody, and what an assignment would release.

Pure rules, no I/O. The preview follows AssignDevice step by step (end the slot's current assignment at
the start, add the new one, release what it covers), so what the console promises is what assigning does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from domain.devices import DeviceAssignment
from domain.intake import released
from domain.readings import Reading

NOT_AFTER_CURRENT = "the slot is assigned since {start}; an assignment must start after that"


@dataclass(frozen=True)
class QuarantinedSlot:
    """One device slot's quarantined readings: how many, and when the first and last were measured."""

    device_id: str
    user_slot: str
    readings: int
    first_measured_at: datetime
    last_measured_at: datetime


@dataclass(frozen=True)
class ReleasePreview:
    """What assigning the slot from `effective_from` would release (`refused` says why it cannot start then)."""

    device_id: str
    user_slot: str
    effective_from: datetime
    reading_ids: tuple[str, ...]
    first_measured_at: datetime | None = None
    last_measured_at: datetime | None = None
    refused: str | None = None

    @property
    def count(self) -> int:
        return len(self.reading_ids)


def release_preview(
    device_id: str, user_slot: str, start: datetime,
    quarantined: Sequence[Reading], history: Sequence[DeviceAssignment],
) -> ReleasePreview:
    """The readings among `quarantined` (the slot's, measured at or after `start`) that an assignment of
    the slot from `start` would release, given the device's assignment `history`; nothing is written."""
    planned = []
    for current in history:
        if current.user_slot == user_slot and current.active:
            if start <= current.effective_from:
                reason = NOT_AFTER_CURRENT.format(start=current.effective_from.isoformat())
                return ReleasePreview(device_id, user_slot, start, (), refused=reason)
            current = replace(current, ended_at=start)
        planned.append(current)
    planned.append(DeviceAssignment(id="", device_id=device_id, patient_id="", user_slot=user_slot,
                                    effective_from=start))
    freed = [r for r in quarantined if r.user_slot == user_slot and r.measured_at >= start and released(r, planned)]
    times = [r.measured_at for r in freed]
    return ReleasePreview(device_id, user_slot, start, tuple(r.id for r in freed),
                          min(times, default=None), max(times, default=None))
