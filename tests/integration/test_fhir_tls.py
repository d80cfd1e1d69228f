"""TLS to the EMR over real HTTPS (trustme certificates served by uvicorn): pins, trust, TLS 1.2 minimum."""

from __future__ import annotations

import base64
import hashlib
import ssl
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import trustme

from adapters.ecw.config import EcwConfig, build_ecw_gateway
from adapters.fakes.keystore import FakeKeyStore
from adapters.fhir.config import SmartServerConfig, build_gateway
from adapters.fhir.secure_client import secure_client
from adapters.fhir.tls import PinMismatch, spki_pin
from domain.ports.emr import EmrUnavailable
from entrypoints.sandbox import SANDBOX_CLIENT_ID
from entrypoints.sandbox.serve import RunningSandbox, serve_sandbox

OTHER_PIN = base64.b64encode(hashlib.sha256(b"a backup key we have not deployed").digest()).decode()


@dataclass(frozen=True)
class Tls:
    ca_bundle: str
    server_pem: str
    pin: str


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> Tls:
    folder: Path = tmp_path_factory.mktemp("tls")
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    cert.private_key_and_cert_chain_pem.write_to_path(folder / "server.pem")
    ca.cert_pem.write_to_path(folder / "ca.pem")
    leaf = ssl.PEM_cert_to_DER_cert(cert.cert_chain_pems[0].bytes().decode())
    return Tls(str(folder / "ca.pem"), str(folder / "server.pem"), spki_pin(leaf))


@pytest.fixture(scope="module")
def server(keys: FakeKeyStore, tls: Tls) -> Iterator[RunningSandbox]:
    with serve_sandbox(keys.public_jwks, ssl_certfile=tls.server_pem) as running:
        yield running


@pytest.fixture
def sandbox(server: RunningSandbox) -> RunningSandbox:
    server.state.reset(patient_count=3)
    return server


def config(sandbox: RunningSandbox, tls: Tls | None, *pins: str) -> SmartServerConfig:
    return SmartServerConfig(fhir_base_url=sandbox.fhir_base_url, client_id=SANDBOX_CLIENT_ID,
                             token_url=sandbox.token_url, ca_bundle=tls.ca_bundle if tls else None, tls_pins=pins)


@pytest.mark.parametrize("backup", [False, True])
async def test_a_matching_pin_lets_the_calls_through(
    sandbox: RunningSandbox, keys: FakeKeyStore, tls: Tls, backup: bool,
) -> None:
    pins = (OTHER_PIN, tls.pin) if backup else (tls.pin,)
    emr, closeable = build_gateway(config(sandbox, tls, *pins), keys)
    connection = await emr.check_connection()
    patient = await emr.read_patient("synthetic-patient-0001")
    await closeable.aclose()
    assert connection.base_url.startswith("https://127.0.0.1:")
    assert patient is not None
    assert sandbox.state.token_requests == 1


async def test_a_pin_mismatch_is_refused_before_any_request_is_sent(
    sandbox: RunningSandbox, keys: FakeKeyStore, tls: Tls,
) -> None:
    emr, closeable = build_gateway(config(sandbox, tls, OTHER_PIN), keys)
    with pytest.raises(EmrUnavailable) as caught:
        await emr.check_connection()
    await closeable.aclose()
    assert isinstance(caught.value.__cause__, PinMismatch)
    assert "127.0.0.1" in str(caught.value)
    assert tls.pin not in str(caught.value)
    assert sandbox.state.requests == []


async def test_the_pinning_client_raises_pin_mismatch_itself(sandbox: RunningSandbox, tls: Tls) -> None:
    async with secure_client(ca_bundle=tls.ca_bundle, pins=[OTHER_PIN]) as client:
        with pytest.raises(PinMismatch, match=r"127\.0\.0\.1"):
            await client.get(f"{sandbox.fhir_base_url}/metadata")
    assert sandbox.state.requests == []


async def test_an_untrusted_certificate_fails_the_handshake(sandbox: RunningSandbox, keys: FakeKeyStore) -> None:
    emr, closeable = build_gateway(config(sandbox, None), keys)
    with pytest.raises(EmrUnavailable, match=r"TLS handshake with 127\.0\.0\.1 failed"):
        await emr.check_connection()
    await closeable.aclose()
    assert sandbox.state.requests == []


async def test_a_server_speaking_only_tls_1_1_is_refused(keys: FakeKeyStore, tls: Tls) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        old_protocol = ssl.PROTOCOL_TLSv1_1
        with serve_sandbox(keys.public_jwks, ssl_certfile=tls.server_pem, ssl_version=old_protocol,
                           ssl_ciphers="DEFAULT:@SECLEVEL=0") as legacy:
            lenient = ssl.create_default_context(cafile=tls.ca_bundle)
            lenient.minimum_version = ssl.TLSVersion.TLSv1
            lenient.set_ciphers("DEFAULT:@SECLEVEL=0")
            async with httpx.AsyncClient(verify=lenient) as control:  # the server does speak TLS 1.1
                assert (await control.get(f"{legacy.fhir_base_url}/metadata")).status_code == 200
            emr, closeable = build_gateway(config(legacy, tls, tls.pin), keys)
            with pytest.raises(EmrUnavailable, match="TLS handshake"):
                await emr.check_connection()
            await closeable.aclose()
    assert legacy.state.requests == [("GET", f"{legacy.fhir_path}/metadata")]  # the control's only


async def test_ecw_production_config_discovers_the_token_url_over_pinned_tls(
    sandbox: RunningSandbox, keys: FakeKeyStore, tls: Tls,
) -> None:
    ecw = EcwConfig(client_id=SANDBOX_CLIENT_ID, environment="production", fhir_base_url=sandbox.fhir_base_url,
                    ca_bundle=tls.ca_bundle, tls_pins=(tls.pin,))
    emr, closeable = build_ecw_gateway(ecw, keys)
    page = await emr.search_patients(1, 2)
    await closeable.aclose()
    assert (page.total, len(page.patients)) == (3, 2)
    assert ("GET", f"{sandbox.fhir_path}/.well-known/smart-configuration") in sandbox.state.requests
    assert sandbox.state.token_requests == 1
