"""An EMR connection refuses a bad field by name: practice id, URLs, scopes, vendor profile, pins, CA bundle."""

from __future__ import annotations

import base64
import hashlib

import pytest
import trustme

from domain.emr_connections import EmrConnection, EmrVendor, check_client_secret
from domain.errors import InvalidInput
from tests.support.world import FIXTURE_TIME

PIN = base64.b64encode(hashlib.sha256(b"the clinic's leaf key").digest()).decode()
CA = trustme.CA().cert_pem.bytes().decode()
KEY = trustme.CA().private_key_pem.bytes().decode()


def connection(**values: object) -> EmrConnection:
    fields: dict[str, object] = {
        "id": "c-1", "practice_id": "clinic-north", "vendor": EmrVendor.SMART,
        "fhir_base_url": "https://fhir.clinic-north.example/r4", "client_id": "vantrexia-north",
        "created_at": FIXTURE_TIME, "updated_at": FIXTURE_TIME, **values,
    }
    return EmrConnection(**fields)  # type: ignore[arg-type]


def test_a_full_connection_with_pins_and_a_ca_bundle_is_accepted() -> None:
    bundle = f"# Issuer: the clinic's own CA\n{CA}\n{CA}"
    made = connection(vendor=EmrVendor.ECW, practice_code="FFHEDD", tls_pins=(PIN, PIN), ca_bundle_pem=bundle)
    assert made.ca_bundle_pem == bundle
    assert made.secret_name == "emr-client-secret-c-1"


@pytest.mark.parametrize(("field", "value"), [
    ("practice_id", "clinic north"),
    ("practice_id", "-leading-dash"),
    ("practice_id", "x" * 65),
    ("fhir_base_url", "ftp://fhir.example/r4"),
    ("fhir_base_url", "https://fhir.example/r4?practice=1"),
    ("token_url", "not a url"),
    ("client_id", ""),
    ("client_id", "tab\tinside"),
    ("scopes", "system/Observation.write  system/Patient.read"),
    ("scopes", ""),
    ("practice_code", "FFHEDD"),  # on a `smart` connection
    ("rate_limit_per_minute", 0),
    ("max_in_flight", 257),
    ("tls_pins", ("not base64!",)),
    ("tls_pins", (base64.b64encode(b"sixteen bytes!!!").decode(),)),  # base64, but not a SHA-256
    ("tls_pins", (PIN,) * 9),
    ("ca_bundle_pem", "just some text"),
    ("ca_bundle_pem", "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n"),
    ("ca_bundle_pem", CA + KEY),  # a private key pasted with the certificate is never stored
])
def test_a_bad_field_is_refused_by_name(field: str, value: object) -> None:
    with pytest.raises(InvalidInput) as refused:
        connection(**{field: value})
    assert refused.value.field == field
    assert field in str(refused.value)


def test_an_ecw_practice_code_must_look_like_one() -> None:
    with pytest.raises(InvalidInput) as refused:
        connection(vendor=EmrVendor.ECW, practice_code="FF HEDD")
    assert refused.value.field == "practice_code"


@pytest.mark.parametrize("secret", ["", " padded", "line\nbreak", "x" * 4097])
def test_a_bad_client_secret_is_refused_without_being_quoted(secret: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        check_client_secret(secret)
    assert refused.value.field == "client_secret"
    assert str(refused.value) == "client_secret must be 1-4096 printable characters"
