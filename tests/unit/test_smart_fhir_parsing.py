"""Reading what a FHIR server says: Patients, CapabilityStatements, Retry-After, OperationOutcomes."""

from __future__ import annotations

from datetime import UTC, date, datetime

import httpx
import pytest

from adapters.fhir.capabilities import connection_from
from adapters.fhir.diagnostics import token_preview
from adapters.fhir.errors import outcome_text, raise_for_status, retry_after
from adapters.fhir.patient_resource import emr_patient
from adapters.fhir.pkce import code_challenge
from adapters.fhir.tls import parse_pins
from domain.ports.emr import EmrRejected, EmrUnavailable

PATIENT = {
    "resourceType": "Patient", "id": "ecw-patient-fhir-id-001",
    "identifier": [
        {"system": "urn:oid:1.2.3", "value": "X-77"},
        {"type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0203", "code": "MR"}]},
         "value": "ECW-10042"},
    ],
    "name": [{"use": "nickname", "given": ["Jo"]}, {"use": "old", "family": "Before"},
             {"use": "official", "family": "Abara", "given": ["Ada", "May"]}],
    "birthDate": "1950-02-28",
    "telecom": [{"system": "email", "value": "a@example.invalid"}, {"system": "phone", "use": "work", "value": "1"},
                {"system": "phone", "use": "mobile", "value": "555-0100"}],
    "address": [{"use": "old", "text": "gone"},
                {"use": "home", "line": ["1 Elm St", "Apt 2"], "city": "Springfield", "state": "IL",
                 "postalCode": "62701"}],
}


def test_patient_fields_come_from_the_right_entries() -> None:
    patient = emr_patient(PATIENT)
    assert patient.emr_patient_id == "ecw-patient-fhir-id-001"
    assert patient.name == "Ada May Abara"
    assert patient.birth_date == date(1950, 2, 28)
    assert patient.mrn == "ECW-10042"
    assert patient.phone == "555-0100"
    assert patient.address == "1 Elm St, Apt 2, Springfield, IL 62701"


def test_a_sparse_patient_maps_to_nones_not_errors() -> None:
    patient = emr_patient({"resourceType": "Patient", "id": "p1", "birthDate": "1950", "name": "oops"})
    assert patient.name == ""
    assert (patient.birth_date, patient.mrn, patient.phone, patient.address) == (None, None, None, None)


def test_capabilities_from_a_capability_statement() -> None:
    statement = {"resourceType": "CapabilityStatement", "fhirVersion": "4.0.1", "rest": [
        {"mode": "client", "resource": [{"type": "Patient", "interaction": [{"code": "create"}]}]},
        {"mode": "server", "resource": [
            {"type": "Patient", "interaction": [{"code": "read"}, {"code": "search-type"}]},
            {"type": "Observation", "interaction": [{"code": "create"}, {"code": "search-type"}],
             "conditionalCreate": True},
            {"type": "Encounter", "interaction": [{"code": "read"}]},
        ]},
    ]}
    connection = connection_from(statement, "https://fhir.example/r4")
    assert connection.fhir_version == "4.0.1"
    assert connection.capabilities == ("Patient.read", "Observation.read", "Observation.write")
    assert connection.supports_observation_create
    assert connection.supports_conditional_create


def test_no_conditional_create_unless_it_is_true() -> None:
    statement = {"fhirVersion": "4.0.1", "rest": [{"mode": "server", "resource": [
        {"type": "Observation", "interaction": [{"code": "read"}], "conditionalCreate": "yes"}]}]}
    connection = connection_from(statement, "x")
    assert connection.capabilities == ("Observation.read",)
    assert not connection.supports_observation_create
    assert not connection.supports_conditional_create


def _response(status: int, headers: dict[str, str] | None = None, json: object = None) -> httpx.Response:
    return httpx.Response(status, headers=headers, json=json)


@pytest.mark.parametrize(("header", "seconds"), [
    ("120", 120.0), ("Sat, 21 Nov 2026 12:01:30 GMT", 90.0), ("Sat, 21 Nov 2026 11:00:00 GMT", 0.0),
    ("soon", None), ("", None),
])
def test_retry_after_in_seconds_or_as_an_http_date(header: str, seconds: float | None) -> None:
    now = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
    assert retry_after(_response(429, {"retry-after": header}), lambda: now) == seconds


def test_an_operation_outcome_is_quoted_without_our_values() -> None:
    outcome = {"resourceType": "OperationOutcome", "issue": [
        {"severity": "error", "code": "value", "diagnostics": "Observation.component[0].valueQuantity.value 128 "
                                                             "is above 120 for 2026-11-20T08:59:54-05:00"},
        {"severity": "error", "code": "required", "details": {"text": "Observation.category is required" + "!" * 300}},
    ]}
    text = outcome_text(_response(400, json=outcome), redact={"128", "2026-11-20T08:59:54-05:00", "71.5"})
    assert "Observation.component[0].valueQuantity.value [redacted] is above 120 for [redacted]" in text
    assert "128" not in text
    assert "Observation.category is required" in text
    assert len(text) <= 200


@pytest.mark.parametrize(("status", "error"), [
    (429, EmrUnavailable), (503, EmrUnavailable), (500, EmrUnavailable), (408, EmrUnavailable),
    (400, EmrRejected), (403, EmrRejected), (422, EmrRejected),
])
def test_statuses_map_to_temporary_or_permanent_failures(status: int, error: type[Exception]) -> None:
    with pytest.raises(error) as caught:
        raise_for_status(_response(status, {"retry-after": "7"}), "create Observation")
    assert caught.value.http_status == status  # type: ignore[attr-defined]
    if isinstance(caught.value, EmrUnavailable):
        assert caught.value.retry_after == 7.0


def test_token_preview_shows_a_jwt_prefix_and_little_of_a_short_token() -> None:
    jwt_like = "eyJhbGciOiJSUzM4NCIsInR5cCI6IkpXVCJ9." + "x" * 200 + ".signature"
    assert token_preview(jwt_like) == "eyJhbGciOiJSUzM4NCIs...truncated"
    assert token_preview("abcdefghijkl") == "abcd...truncated"


def test_pkce_s256_matches_the_rfc_7636_example() -> None:
    verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    assert code_challenge(verifier) == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


def test_pins_must_be_sha256_digests() -> None:
    good = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
    assert parse_pins([good, " ", good]) == {good}
    with pytest.raises(ValueError, match="pin"):
        parse_pins(["c2hvcnQ="])
