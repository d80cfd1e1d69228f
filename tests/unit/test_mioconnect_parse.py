"""Forwarded messages parse into domain readings with explicit units; nothing is dropped."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from adapters.mioconnect.parse import MalformedMessage, parse_status, parse_telemetry
from domain.readings import ReadingKind, Unit, VitalSign

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "mioconnect"
IMEI = "860013045678901"


def raw(name: str, **data: Any) -> bytes:
    body = json.loads((FIXTURES / f"{name}.json").read_text())
    body["data"] = {**body["data"], **data}
    return json.dumps(body).encode()


@pytest.mark.parametrize(
    ("name", "kind", "expected"),
    [
        ("bp_normal", ReadingKind.BLOOD_PRESSURE,
         {VitalSign.SYSTOLIC: ("128", Unit.MM_HG), VitalSign.DIASTOLIC: ("82", Unit.MM_HG),
          VitalSign.PULSE: ("71", Unit.PER_MIN)}),
        ("bp_crisis", ReadingKind.BLOOD_PRESSURE,
         {VitalSign.SYSTOLIC: ("186", Unit.MM_HG), VitalSign.DIASTOLIC: ("124", Unit.MM_HG),
          VitalSign.PULSE: ("96", Unit.PER_MIN)}),
        ("scale", ReadingKind.BODY_WEIGHT, {VitalSign.BODY_WEIGHT: ("70.747", Unit.KG)}),
        ("glucose_mmol", ReadingKind.GLUCOSE, {VitalSign.GLUCOSE: ("6.4", Unit.MMOL_L)}),
        ("glucose_control_solution", ReadingKind.GLUCOSE, {VitalSign.GLUCOSE: ("110", Unit.MG_DL)}),
        ("pulseox", ReadingKind.SPO2, {VitalSign.SPO2: ("96", Unit.PERCENT), VitalSign.PULSE: ("74", Unit.PER_MIN)}),
    ],
)
def test_every_device_kind_parses_with_units(name: str, kind: ReadingKind, expected: dict[VitalSign, Any]) -> None:
    telemetry = parse_telemetry((FIXTURES / f"{name}.json").read_bytes())
    assert telemetry.measurement is not None
    assert telemetry.measurement.kind is kind
    values = {s: (str(q.value), q.unit) for s, q in telemetry.measurement.values.items()}
    assert values == expected


def test_measurement_time_is_data_ts_in_its_offset_never_created_at() -> None:
    telemetry = parse_telemetry((FIXTURES / "bp_normal.json").read_bytes())
    assert telemetry.measurement is not None
    measured = telemetry.measurement.measured_at
    assert int(measured.timestamp()) == 1795183194
    assert measured.utcoffset() == timedelta(hours=-5)
    assert measured.isoformat() == "2026-11-20T08:59:54-05:00"


@pytest.mark.parametrize(("tz", "offset"), [("UTC", 0), ("UTC+5:30", 330), ("UTC-03:00", -180), ("utc+14", 840)])
def test_time_zone_forms(tz: str, offset: int) -> None:
    telemetry = parse_telemetry(raw("bp_normal", tz=tz))
    assert telemetry.measurement is not None
    assert telemetry.measurement.measured_at.utcoffset() == timedelta(minutes=offset)


def test_context_and_user_slot_are_kept() -> None:
    bp = parse_telemetry(raw("bp_crisis", uid=2))
    glucose = parse_telemetry((FIXTURES / "glucose_mmol.json").read_bytes())
    assert bp.user_slot == "2"
    assert bp.measurement is not None
    assert bp.measurement.context["irregular_heartbeat"] == "true"
    assert glucose.measurement is not None
    assert glucose.measurement.context["meal"] == "before"


@pytest.mark.parametrize(
    ("name", "problem"),
    [("glucose_control_solution", "control solution"), ("pulseox_sentinel", "could not measure")],
)
def test_device_verdicts_are_kept_as_problems(name: str, problem: str) -> None:
    telemetry = parse_telemetry((FIXTURES / f"{name}.json").read_bytes())
    assert telemetry.device_problem is not None
    assert problem in telemetry.device_problem


def test_unknown_fields_are_tolerated_and_unknown_types_kept() -> None:
    extra = parse_telemetry(raw("bp_normal", firmware_build="x", nested={"a": 1}))
    unknown = parse_telemetry(raw("bp_normal", data_type="thermometer_measure"))
    assert extra.measurement is not None
    assert (unknown.measurement, unknown.unknown_type) == (None, "thermometer_measure")


def test_test_messages_are_flagged() -> None:
    body = json.loads((FIXTURES / "bp_normal.json").read_text())
    body["isTest"] = True
    assert parse_telemetry(json.dumps(body).encode()).is_test


@pytest.mark.parametrize(
    "body",
    [b"", b"not json", b"[]", b'{"deviceId": "x"}', raw("bp_normal", sys="high"), raw("bp_normal", sys="NaN"),
     raw("bp_normal", tz="PST"), raw("bp_normal", sys=None), raw("glucose_mmol", unit=7), b"\xff\xfe\x00"],
)
def test_malformed_bodies_raise_a_reason_without_phi(body: bytes) -> None:
    with pytest.raises(MalformedMessage) as caught:
        parse_telemetry(body)
    assert IMEI not in str(caught.value)
    assert "128" not in str(caught.value)


def test_status_reports_carry_battery_signal_and_firmware() -> None:
    report = parse_status((FIXTURES / "status_bp.json").read_bytes())
    assert (report.gateway_device_id, report.battery_percent, report.signal_bars, report.firmware) == (
        IMEI, 92, 18, "2.1.7")
    assert report.reported_at.utcoffset() == timedelta(hours=-5)
    with pytest.raises(MalformedMessage):
        parse_status((FIXTURES / "bp_normal.json").read_bytes())


def test_weight_in_grams_becomes_exact_kilograms() -> None:
    telemetry = parse_telemetry(raw("scale", wt=70747))
    assert telemetry.measurement is not None
    assert telemetry.measurement.values[VitalSign.BODY_WEIGHT].value == Decimal("70.747")
