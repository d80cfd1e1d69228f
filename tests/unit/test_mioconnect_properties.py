"""Property-based tests of the parser and its unit conversions (hypothesis)."""

from __future__ import annotations

import contextlib
import json
from datetime import timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from adapters.mioconnect.parse import MalformedMessage, parse_telemetry
from domain.readings import Quantity, Unit, VitalSign
from domain.validation import MMOL_TO_MG_DL, glucose_mg_dl


def _message(data: dict[str, object]) -> bytes:
    base = {"data_type": "bpm_gen2_measure", "ts": 1795183194, "tz": "UTC-5", "uid": "1"}
    return json.dumps({"deviceId": "860013045678901", "modelNumber": "TMB-2092-G", "data": {**base, **data}}).encode()


@given(st.integers(min_value=0, max_value=10_000_000))
def test_grams_to_kilograms_is_exact(grams: int) -> None:
    telemetry = parse_telemetry(_message({"data_type": "scale_gen2_measure", "wt": grams}))
    assert telemetry.measurement is not None
    kg = telemetry.measurement.values[VitalSign.BODY_WEIGHT].value
    assert kg * 1000 == grams


@given(st.integers(0, 400), st.integers(0, 300), st.integers(0, 300))
def test_blood_pressure_numbers_survive_parsing(sys_: int, dia: int, pul: int) -> None:
    telemetry = parse_telemetry(_message({"sys": sys_, "dia": dia, "pul": pul}))
    assert telemetry.measurement is not None
    values = telemetry.measurement.values
    assert (values[VitalSign.SYSTOLIC].value, values[VitalSign.DIASTOLIC].value, values[VitalSign.PULSE].value) == (
        sys_, dia, pul)


@given(st.sampled_from(["+", "-"]), st.integers(0, 14), st.sampled_from([0, 30, 45]))
def test_offsets_round_trip(sign: str, hours: int, minutes: int) -> None:
    if hours == 14 and minutes:
        minutes = 0
    telemetry = parse_telemetry(_message({"sys": 120, "dia": 80, "tz": f"UTC{sign}{hours}:{minutes:02d}"}))
    assert telemetry.measurement is not None
    offset = timedelta(hours=hours, minutes=minutes) * (-1 if sign == "-" else 1)
    assert telemetry.measurement.measured_at.utcoffset() == offset
    assert int(telemetry.measurement.measured_at.timestamp()) == 1795183194


@given(st.binary(max_size=300))
def test_arbitrary_bytes_only_ever_raise_malformed_message(body: bytes) -> None:
    with contextlib.suppress(MalformedMessage):  # anything else (ValueError, KeyError, ...) fails the test
        parse_telemetry(body)


@given(st.decimals(min_value=Decimal("0.1"), max_value=Decimal("40"), places=1))
def test_mmol_to_mg_dl_uses_the_18_016_factor(mmol: Decimal) -> None:
    mg_dl = glucose_mg_dl(Quantity(mmol, Unit.MMOL_L))
    assert abs(mg_dl - mmol * MMOL_TO_MG_DL) <= Decimal("0.05")
    assert glucose_mg_dl(Quantity(mg_dl, Unit.MG_DL)) == mg_dl
