"""Forwarded messages parse into domain readings with explicit units; nothing is dropped."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from adapters.mioconnect.parse import MalformedMessage, parse_status, parse_telemetry
from domain.deliveries import DeviceTelemetry
from domain.readings import ReadingKind, Unit, VitalSign

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "mioconnect"
IMEI, ICCID, SERIAL = "860013045678901", "89011703278123456789", "2092G0012345"
SENTINEL = "device could not measure (sentinel value)"
CONTROL = "control solution test, not a patient reading"
S, D, P = VitalSign.SYSTOLIC, VitalSign.DIASTOLIC, VitalSign.PULSE
MMHG, PER_MIN = Unit.MM_HG, Unit.PER_MIN


def fixture(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text())
    return loaded


def raw(name: str, top: dict[str, Any] | None = None, **data: Any) -> bytes:
    body = fixture(name)
    body["data"] = {**body["data"], **data}
    return json.dumps({**body, **(top or {})}).encode()


def parsed(name: str, **data: Any) -> DeviceTelemetry:
    return parse_telemetry(raw(name, **data))


FIXTURE_EXPECTATIONS = [
    ("bp_normal", ReadingKind.BLOOD_PRESSURE, {S: ("128", MMHG), D: ("82", MMHG), P: ("71", PER_MIN)},
     "2026-11-20T08:59:54-05:00", {"irregular_heartbeat": "false"}, None),
    ("bp_crisis", ReadingKind.BLOOD_PRESSURE, {S: ("186", MMHG), D: ("124", MMHG), P: ("96", PER_MIN)},
     "2026-11-20T10:00:40-05:00", {"irregular_heartbeat": "true"}, None),
    ("scale", ReadingKind.BODY_WEIGHT, {VitalSign.BODY_WEIGHT: ("70.747", Unit.KG)},
     "2026-11-20T10:59:48-05:00", {}, None),
    ("glucose_mmol", ReadingKind.GLUCOSE, {VitalSign.GLUCOSE: ("6.4", Unit.MMOL_L)},
     "2026-11-20T11:59:50-05:00", {"meal": "before"}, None),
    ("glucose_control_solution", ReadingKind.GLUCOSE, {VitalSign.GLUCOSE: ("110", Unit.MG_DL)},
     "2026-11-20T12:01:30-05:00", {"meal": "none"}, CONTROL),
    ("pulseox", ReadingKind.SPO2, {VitalSign.SPO2: ("96", Unit.PERCENT), P: ("74", PER_MIN)},
     "2026-11-20T12:59:51-05:00", {"perfusion_index": "5.2"}, None),
    ("pulseox_sentinel", ReadingKind.SPO2, {VitalSign.SPO2: ("127", Unit.PERCENT), P: ("255", PER_MIN)},
     "2026-11-20T13:01:31-05:00", {"perfusion_index": "0"}, SENTINEL),
]


@pytest.mark.parametrize(("name", "kind", "values", "measured", "context", "problem"), FIXTURE_EXPECTATIONS)
def test_every_fixture_parses_to_its_expected_reading(
    name: str, kind: ReadingKind, values: dict[VitalSign, tuple[str, Unit]], measured: str,
    context: dict[str, str], problem: str | None,
) -> None:
    telemetry = parse_telemetry((FIXTURES / f"{name}.json").read_bytes())
    body = fixture(name)
    assert (telemetry.gateway_device_id, telemetry.model_number) == (body["deviceId"], body["modelNumber"])
    assert (telemetry.user_slot, telemetry.is_test, telemetry.unknown_type) == ("1", False, None)
    assert telemetry.device_problem == problem
    measurement = telemetry.measurement
    assert measurement is not None
    assert measurement.kind is kind
    assert {s: (str(q.value), q.unit) for s, q in measurement.values.items()} == values
    assert all(isinstance(q.value, Decimal) for q in measurement.values.values())
    assert measurement.measured_at.isoformat() == measured
    assert dict(measurement.context) == context


def test_measurement_time_is_data_ts_never_created_at() -> None:
    telemetry = parse_telemetry(raw("bp_normal", top={"createdAt": 1_700_000_000}))
    assert telemetry.measurement is not None
    assert int(telemetry.measurement.measured_at.timestamp()) == 1795183194


@pytest.mark.parametrize(
    ("tz", "minutes"),
    [("UTC", 0), ("UTC+5:30", 330), ("UTC-03:00", -180), ("utc+14", 840), ("UTC+0545", 345), ("UTC-0", 0)],
)
def test_time_zone_forms(tz: str, minutes: int) -> None:
    telemetry = parsed("bp_normal", tz=tz)
    assert telemetry.measurement is not None
    assert telemetry.measurement.measured_at.utcoffset() == timedelta(minutes=minutes)
    assert int(telemetry.measurement.measured_at.timestamp()) == 1795183194


def test_user_slot_and_flag_forms_are_kept() -> None:
    shared = parsed("bp_crisis", uid=2, ihb=0)
    assert shared.user_slot == "2"
    assert shared.measurement is not None
    assert shared.measurement.context["irregular_heartbeat"] == "false"


@pytest.mark.parametrize(("spo2", "pr"), [(127, 74), (96, 255), (127, None)])
def test_either_pulse_oximeter_sentinel_is_a_device_problem(spo2: int, pr: int | None) -> None:
    telemetry = parsed("pulseox", spo2=spo2, pr=pr)
    assert telemetry.measurement is not None  # kept, never raised
    assert telemetry.device_problem == SENTINEL


def test_unknown_fields_are_tolerated_everywhere() -> None:
    top = {"routing": {"region": "us-east"}, "tags": [1, 2]}
    reading = parse_telemetry(raw("bp_normal", top=top, firmware_build="x", nested={"a": [1, None]}))
    status = fixture("status_bp")
    status["status"]["brand_new"] = {"deep": True}
    assert reading.measurement is not None
    assert parse_status(json.dumps({**status, **top}).encode()).battery_percent == 92


def test_unknown_data_types_are_kept_not_raised() -> None:
    unknown = parsed("bp_normal", data_type="thermometer_measure")
    assert (unknown.measurement, unknown.unknown_type, unknown.gateway_device_id) == (
        None, "thermometer_measure", IMEI)


def test_test_messages_are_flagged() -> None:
    assert parse_telemetry(raw("bp_normal", top={"isTest": True})).is_test


@pytest.mark.parametrize(
    ("body", "secret"),
    [
        (b"", None), (b"not json", None), (b"[]", None), (b"\xff\xfe\x00", None),
        (b'{"deviceId": "860013045678901"}', None),
        (raw("bp_normal", top={"deviceId": int(IMEI)}), IMEI),
        (raw("bp_normal", sys="high"), "high"), (raw("bp_normal", sys="128"), "128"),
        (raw("bp_normal", sys=None), None), (raw("bp_normal", dia=True), None),
        (raw("bp_normal", sys=12345678), "12345678"), (raw("glucose_mmol", data=6.4e30), "6.4"),
        (raw("scale", wt=70747.5), "70747"), (raw("scale", wt=10**12), "1000000000000"),
        (raw("bp_normal", tz="PST-8"), "PST"), (raw("bp_normal", tz="UTC+5:99"), "99"),
        (raw("bp_normal", tz="UTC+15"), "15"), (raw("bp_normal", ts="1795183194"), "1795183194"),
        (raw("glucose_mmol", unit=7), None), (raw("pulseox", spo2=None), None),
    ],
)
def test_malformed_bodies_raise_a_reason_without_phi(body: bytes, secret: str | None) -> None:
    with pytest.raises(MalformedMessage) as caught:
        parse_telemetry(body)
    reason = str(caught.value)
    assert reason
    for identifier in (IMEI, ICCID, SERIAL):
        assert identifier not in reason
    if secret is not None:
        assert secret not in reason


def test_status_reports_carry_battery_signal_and_firmware() -> None:
    report = parse_status((FIXTURES / "status_bp.json").read_bytes())
    assert (report.gateway_device_id, report.model_number) == (IMEI, "TMB-2092-G")
    assert (report.battery_percent, report.signal_bars, report.firmware) == (92, 18, "2.1.7")
    assert report.reported_at.isoformat() == "2026-11-20T08:49:50-05:00"


def test_a_status_body_is_not_telemetry_and_vice_versa() -> None:
    with pytest.raises(MalformedMessage, match="data"):
        parse_telemetry((FIXTURES / "status_bp.json").read_bytes())
    with pytest.raises(MalformedMessage, match="status"):
        parse_status((FIXTURES / "bp_normal.json").read_bytes())
