"""Field limits checked on arrival: exactly the columns' sizes, before anything is stored."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest

from adapters.mioconnect.parse import MalformedMessage, parse_status, parse_telemetry
from domain.storage_limits import storable_webhook_id

ENVELOPE = {"deviceId": "860013045678901", "modelNumber": "TMB-2092-G"}
READING = {"data_type": "bpm_gen2_measure", "ts": 1795183194, "tz": "UTC-5", "uid": "1", "sys": 128, "dia": 82}
STATUS = {"data_type": "bpm_gen2_status", "ts": 1795182590, "tz": "UTC-5", "bat": 92, "sig": 18, "fw": "2.1.7"}


def _telemetry(top: dict[str, Any] | None = None, **data: Any) -> bytes:
    return json.dumps({**ENVELOPE, **(top or {}), "data": {**READING, **data}}).encode()


def _status(top: dict[str, Any] | None = None, **status: Any) -> bytes:
    return json.dumps({**ENVELOPE, **(top or {}), "status": {**STATUS, **status}}).encode()


@pytest.mark.parametrize(("fits", "too_much", "reason"), [
    (_telemetry({"deviceId": "8" * 64}), _telemetry({"deviceId": "8" * 65}), "deviceId is longer than 64 characters"),
    (_telemetry({"modelNumber": "M" * 64}), _telemetry({"modelNumber": "M" * 65}),
     "modelNumber is longer than 64 characters"),
    (_telemetry(uid="9" * 16), _telemetry(uid="9" * 17), "uid is longer than 16 characters"),
    (_telemetry(uid=-(10**14)), _telemetry(uid=-(10**15)), "uid is longer than 16 characters"),
    (_telemetry({"deviceId": "860 013"}), _telemetry({"deviceId": "860\t013"}),
     "deviceId contains a control or non-printable character"),
    (_telemetry({"modelNumber": "TMB é"}), _telemetry({"modelNumber": "TMB \u0085"}),
     "modelNumber contains a control or non-printable character"),
    (_telemetry(data_type="ecg v2"), _telemetry(data_type="ecg\u007f"),
     "data_type contains a control or non-printable character"),
])
def test_telemetry_fields_up_to_the_column_size_pass_and_beyond_it_are_refused(
    fits: bytes, too_much: bytes, reason: str
) -> None:
    parse_telemetry(fits)
    with pytest.raises(MalformedMessage) as refused:
        parse_telemetry(too_much)
    assert str(refused.value) == reason


@pytest.mark.parametrize(("fits", "too_much", "reason"), [
    (_status(bat=2**31 - 1), _status(bat=2**31), "bat is out of range"),
    (_status(bat=-(2**31)), _status(bat=-(2**31) - 1), "bat is out of range"),
    (_status(sig=2**31 - 1), _status(sig=2**63), "sig is out of range"),
    (_status(fw="f" * 64), _status(fw="f" * 65), "fw is longer than 64 characters"),
    (_status(fw="2.1.7"), _status(fw="2.1\u00007"), "fw contains a control or non-printable character"),
    (_status({"deviceId": "8" * 64}), _status({"deviceId": "8" * 65}), "deviceId is longer than 64 characters"),
])
def test_status_fields_up_to_the_column_range_pass_and_beyond_it_are_refused(
    fits: bytes, too_much: bytes, reason: str
) -> None:
    parse_status(fits)
    with pytest.raises(MalformedMessage) as refused:
        parse_status(too_much)
    assert str(refused.value) == reason


def test_a_long_unknown_message_type_is_cut_not_refused() -> None:
    assert parse_telemetry(_telemetry(data_type="e" * 500)).unknown_type == "e" * 64


@pytest.mark.parametrize("depth", [1_000, 30_000])
def test_deep_nesting_is_a_malformed_message(depth: int) -> None:
    body = b'{"deviceId":"1","data":{"data_type":"x","ts":1,"junk":' + b"[" * depth + b"]" * depth + b"}}"
    for parse in (parse_telemetry, parse_status):
        with pytest.raises(MalformedMessage, match=r"^body nests too deeply$"):
            parse(body)


def test_a_body_that_is_not_utf8_is_named_as_such() -> None:
    with pytest.raises(MalformedMessage, match=r"^body is not UTF-8$"):
        parse_telemetry(_telemetry({"modelNumber": "TMB"}).replace(b"TMB", b"T\xc3\x28B"))


@pytest.mark.parametrize("webhook_id", ["msg_1", "m" * 255, "msg é", "sha256-not-the-prefix"])
def test_a_storable_webhook_id_is_kept_as_it_is(webhook_id: str) -> None:
    assert storable_webhook_id(webhook_id) == webhook_id


@pytest.mark.parametrize("webhook_id", ["m" * 256, "msg\u0000", "msg\n", "msg\ud800", "sha256:abc"])
def test_any_other_id_becomes_its_stable_sha256_surrogate(webhook_id: str) -> None:
    digest = hashlib.sha256(webhook_id.encode("utf-8", "surrogatepass")).hexdigest()
    assert storable_webhook_id(webhook_id) == "sha256:" + digest
    assert storable_webhook_id(webhook_id) != storable_webhook_id(webhook_id + "x")
