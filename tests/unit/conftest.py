"""Use cases wired to the World of stateful fakes (tests/support/world.py): what they did is read back from it."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

from domain.deliveries import DeviceTelemetry
from domain.readings import Measurement, Quantity, ReadingKind, Unit, VitalSign
from tests.support.world import FIXTURE_TIME

NOW = FIXTURE_TIME
LOCAL = timezone(timedelta(hours=-5))
CUFF = "860013045678901"


def bp(sys_: int = 128, dia: int = 82, pulse: int | None = 71, at: datetime | None = None, *,
       device: str = CUFF, slot: str = "1", is_test: bool = False, problem: str | None = None) -> DeviceTelemetry:
    values = {VitalSign.SYSTOLIC: Quantity(Decimal(sys_), Unit.MM_HG),
              VitalSign.DIASTOLIC: Quantity(Decimal(dia), Unit.MM_HG)}
    if pulse is not None:
        values[VitalSign.PULSE] = Quantity(Decimal(pulse), Unit.PER_MIN)
    measurement = Measurement(ReadingKind.BLOOD_PRESSURE, at or (NOW - timedelta(hours=1)).astimezone(LOCAL), values)
    return DeviceTelemetry(device, "TMB-2092-G", slot, is_test, measurement, device_problem=problem)
