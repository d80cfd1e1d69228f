"""Bodies of the device inventory and assignments."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

from entrypoints.http.dto.types import AwareDatetime, NonEmpty


class RegisterDeviceRequest(msgspec.Struct, forbid_unknown_fields=True):
    gateway_device_id: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    model_number: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    # administrators only: the practice the device joins (clinicians: their own, named or not)
    practice_id: Annotated[str, msgspec.Meta(min_length=1, max_length=64)] | None = None


class DeviceOut(msgspec.Struct):
    id: str
    gateway_device_id: str
    model_number: str
    registered_at: datetime | None
    last_seen_at: datetime | None
    practice_id: str | None  # None: sent data but nobody registered it yet


class DeviceDetailOut(msgspec.Struct):
    id: str
    gateway_device_id: str
    model_number: str
    registered_at: datetime | None
    first_seen_at: datetime | None
    last_seen_at: datetime | None
    battery_percent: int | None
    signal_bars: int | None
    firmware: str | None
    practice_id: str | None
    assignments: list[AssignmentOut]



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
