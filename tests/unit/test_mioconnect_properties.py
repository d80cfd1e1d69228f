"""Property-based tests of the parser and its unit conversions (hypothesis)."""

from __future__ import annotations

import contextlib
import json
from datetime import timedelta
from decimal import Decimal
from typing import Any

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.mioconnect.messages import Reading
from adapters.mioconnect.parse import MalformedMessage, parse_status, parse_telemetry
from domain.readings import Quantity, Unit, VitalSign
from domain.validation import MMOL_TO_MG_DL, glucose_mg_dl

KINDS = ["bpm_gen2_measure", "scale_gen2_measure", "bgm_gen1_measure", "bgm_gen2_measure", "pulse_oximeter_measure"]
DECLARED = {field.encode_name for field in msgspec.structs.fields(Reading)}
FIELDS = sorted(DECLARED - {"data_type"})
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)


def _message(data: dict[str, Any], **top: Any) -> bytes:
    base = {"data_type": "bpm_gen2_measure", "ts": 1795183194, "tz": "UTC-5", "uid": "1"}
    envelope = {"deviceId": "860013045678901", "modelNumber": "TMB-2092-G", "createdAt": 1795183212, **top}
    return json.dumps({**envelope, "data": {**base, **data}}).encode()


@given(st.integers())
def test_grams_to_kilograms_is_exact_for_any_integer(grams: int) -> None:
    try:
        telemetry = parse_telemetry(_message({"data_type": "scale_gen2_measure", "wt": grams}))
    except MalformedMessage:
        assert abs(grams) >= 10**9  # beyond any scale: refused, never rounded
        return
    assert telemetry.measurement is not None
    kg = telemetry.measurement.values[VitalSign.BODY_WEIGHT]
    assert kg.unit is Unit.KG
    assert kg.value.scaleb(3) == grams
    assert kg.value == Decimal(grams) / 1000


DEVICE_NUMBER = st.integers(0, 400) | st.decimals(min_value=0, max_value=400, places=1).map(float)


@given(DEVICE_NUMBER, DEVICE_NUMBER, st.none() | DEVICE_NUMBER, st.booleans(),
       st.dictionaries(st.text().filter(lambda key: key not in DECLARED), JSON, max_size=3))
def test_any_valid_blood_pressure_parses_to_the_same_numbers(
    sys_: float, dia: float, pul: float | None, ihb: bool, extra: dict[str, Any]
) -> None:
    data = {**extra, "sys": sys_, "dia": dia, "pul": pul, "ihb": ihb, "hand": False, "tri": True}
    telemetry = parse_telemetry(_message({**data, "data_type": "bpm_gen2_measure", "ts": 1795183194, "tz": "UTC"}))
    assert telemetry.measurement is not None
    values = telemetry.measurement.values
    assert values[VitalSign.SYSTOLIC] == Quantity(Decimal(str(sys_)), Unit.MM_HG)
    assert values[VitalSign.DIASTOLIC] == Quantity(Decimal(str(dia)), Unit.MM_HG)
    assert values.get(VitalSign.PULSE) == (None if pul is None else Quantity(Decimal(str(pul)), Unit.PER_MIN))
    assert telemetry.measurement.context["irregular_heartbeat"] == str(ihb).lower()


@given(st.integers(-14 * 60, 14 * 60), st.sampled_from(["{h}", "{h}:{m:02d}", "{h:02d}{m:02d}"]),
       st.integers(0, 4_000_000_000))
def test_offsets_round_trip(minutes: int, form: str, ts: int) -> None:
    hours, rest = divmod(abs(minutes), 60)
    if "{m" not in form and rest:
        form = "{h}:{m:02d}"
    tz = "UTC" + ("-" if minutes < 0 else "+") + form.format(h=hours, m=rest)
    telemetry = parse_telemetry(_message({"sys": 120, "dia": 80, "tz": tz, "ts": ts}))
    assert telemetry.measurement is not None
    measured = telemetry.measurement.measured_at
    assert measured.utcoffset() == timedelta(minutes=minutes)
    assert measured.timestamp() == ts


@given(st.binary(max_size=300))
def test_arbitrary_bytes_only_ever_raise_malformed_message(body: bytes) -> None:
    for parse in (parse_telemetry, parse_status):
        with contextlib.suppress(MalformedMessage):  # anything else (ValueError, KeyError, ...) fails the test
            parse(body)


@given(st.sampled_from(KINDS), st.dictionaries(st.sampled_from(FIELDS), JSON, max_size=6), JSON)
def test_arbitrary_field_values_only_ever_raise_malformed_message(kind: str, data: dict[str, Any], top: Any) -> None:
    body = _message({**data, "data_type": kind}, isTest=top)
    reason = ""
    try:
        measurement = parse_telemetry(body).measurement
    except MalformedMessage as error:
        reason, measurement = str(error), None
    assert "860013045678901" not in reason
    if measurement is not None:
        assert all(q.value.is_finite() for q in measurement.values.values())


@pytest.mark.parametrize(("mmol", "mg_dl"), [("6.4", "115.3024"), ("5.3", "95.4848")])
def test_mmol_to_mg_dl_uses_the_18_016_factor_unrounded(mmol: str, mg_dl: str) -> None:
    assert glucose_mg_dl(Quantity(Decimal(mmol), Unit.MMOL_L)) == Decimal(mg_dl)
    assert Decimal("18.016") == MMOL_TO_MG_DL


def test_a_value_just_under_a_limit_stays_under_it_and_huge_values_do_not_raise() -> None:
    assert glucose_mg_dl(Quantity(Decimal("3.882"), Unit.MMOL_L)) < 70  # 69.938..., would round to 69.9/70
    assert glucose_mg_dl(Quantity(Decimal("1e30"), Unit.MMOL_L)) > 0


def test_a_quantity_never_prints_its_value() -> None:
    quantity = Quantity(Decimal("142.5"), Unit.MM_HG)
    assert "142" not in f"{quantity} {quantity!r} {[quantity]}"
