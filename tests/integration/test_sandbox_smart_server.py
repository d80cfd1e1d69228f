"""The sandbox's token endpoint really verifies client assertions (hand-made JWTs over real HTTP)."""

from __future__ import annotations

import secrets
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import RSAKey
from litestar import Litestar, get

from adapters.fakes.keystore import FakeKeyStore
from adapters.keys.jwk import import_rsa, new_rsa_signing_key
from entrypoints.sandbox import SANDBOX_CLIENT_ID
from entrypoints.sandbox.serve import RunningSandbox, serve_sandbox
from tests.support.live import free_port, live_server

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
SCOPE = "system/Patient.read system/Observation.write system/Observation.read"


@pytest.fixture
def sandbox(server: RunningSandbox) -> RunningSandbox:
    server.state.reset(patient_count=3)
    return server


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=5) as client:
        yield client


async def _assertion(keys: FakeKeyStore, audience: str, *, alg: str = "RS384", kid: str | None = None,
                     sign_with: Any = None, **claims: Any) -> str:
    key = await keys.signing_key()
    private = RSAKey.import_key({k: v for k, v in key.jwk.items() if k != "alg"})  # may sign with any RS alg
    now = int(time.time())
    body = {"iss": SANDBOX_CLIENT_ID, "sub": SANDBOX_CLIENT_ID, "aud": audience, "iat": now, "exp": now + 240,
            "jti": secrets.token_hex(8), **claims}
    return jwt.encode({"alg": alg, "kid": kid or key.kid, "typ": "JWT"}, body, sign_with or private,
                      algorithms=[alg])


async def _token(http: httpx.AsyncClient, sandbox: RunningSandbox, assertion: str) -> httpx.Response:
    return await http.post(sandbox.token_url, data={
        "grant_type": "client_credentials", "client_assertion_type": ASSERTION_TYPE,
        "client_assertion": assertion, "scope": SCOPE})


async def test_a_valid_assertion_gets_a_bearer_token_that_opens_the_fhir_api(
    keys: FakeKeyStore, sandbox: RunningSandbox, http: httpx.AsyncClient,
) -> None:
    response = await _token(http, sandbox, await _assertion(keys, sandbox.token_url))
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["token_type"], body["expires_in"], body["scope"]) == ("bearer", 3600, SCOPE)
    assert response.headers["cache-control"] == "no-store"
    patients = await http.get(f"{sandbox.fhir_base_url}/Patient",
                              headers={"authorization": f"Bearer {body['access_token']}"})
    assert patients.status_code == 200
    assert patients.json()["total"] == 3


async def test_fhir_calls_without_a_valid_token_get_401_but_metadata_is_public(
    sandbox: RunningSandbox, http: httpx.AsyncClient,
) -> None:
    assert (await http.get(f"{sandbox.fhir_base_url}/Patient")).status_code == 401
    refused = await http.get(f"{sandbox.fhir_base_url}/Patient", headers={"authorization": "Bearer made-up"})
    assert refused.status_code == 401
    assert "invalid_token" in refused.headers["www-authenticate"]
    assert (await http.get(f"{sandbox.fhir_base_url}/metadata")).status_code == 200


@pytest.mark.parametrize(("change", "error"), [
    ({"aud": "https://elsewhere.example/token"}, "invalid_grant"),
    ({"exp_offset": 400}, "invalid_grant"),
    ({"exp_offset": -5}, "invalid_grant"),
    ({"iss": "someone-else"}, "invalid_client"),
    ({"sub": "someone-else"}, "invalid_client"),
    ({"alg": "RS256"}, "invalid_client"),
    ({"kid": "not-published"}, "key_not_found"),
    ({"other_key": True}, "invalid_client"),
])
async def test_bad_assertions_are_refused_with_oauth_errors(
    keys: FakeKeyStore, sandbox: RunningSandbox, http: httpx.AsyncClient, change: dict[str, Any], error: str,
) -> None:
    options: dict[str, Any] = {k: v for k, v in change.items() if k in ("aud", "iss", "sub", "alg", "kid")}
    if "exp_offset" in change:
        options["exp"] = int(time.time()) + change["exp_offset"]
    if change.get("other_key"):  # our kid, someone else's private key
        options["sign_with"] = import_rsa(new_rsa_signing_key("impostor"))
    audience = options.pop("aud", sandbox.token_url)
    response = await _token(http, sandbox, await _assertion(keys, audience, **options))
    assert response.status_code == 400
    assert response.json()["error"] == error
    assert sandbox.state.token_errors == [error]


async def test_a_replayed_assertion_is_refused(
    keys: FakeKeyStore, sandbox: RunningSandbox, http: httpx.AsyncClient,
) -> None:
    assertion = await _assertion(keys, sandbox.token_url)
    assert (await _token(http, sandbox, assertion)).status_code == 200
    replay = await _token(http, sandbox, assertion)
    assert (replay.status_code, replay.json()["error"]) == (400, "invalid_grant")
    assert "jti" in replay.json()["error_description"]


async def test_the_jwks_can_be_fetched_from_a_url(keys: FakeKeyStore, http: httpx.AsyncClient) -> None:
    @get("/.well-known/jwks.json")
    async def jwks() -> dict[str, Any]:
        return {"keys": [dict(k) for k in await keys.public_jwks()]}

    with live_server(Litestar([jwks])) as api, serve_sandbox(f"{api}/.well-known/jwks.json") as sandbox:
        assert (await _token(http, sandbox, await _assertion(keys, sandbox.token_url))).status_code == 200
        unknown = await _token(http, sandbox, await _assertion(keys, sandbox.token_url, kid="rotated-away"))
        assert unknown.json()["error"] == "key_not_found"


async def test_smart_configuration_names_the_endpoints(sandbox: RunningSandbox, http: httpx.AsyncClient) -> None:
    body = (await http.get(f"{sandbox.fhir_base_url}/.well-known/smart-configuration")).json()
    assert body["token_endpoint"] == sandbox.token_url
    assert body["authorization_endpoint"] == sandbox.authorize_url
    assert "private_key_jwt" in body["token_endpoint_auth_methods_supported"]
    assert body["token_endpoint_auth_signing_alg_values_supported"] == ["RS384"]


def test_python_m_entrypoints_sandbox_serves_on_loopback() -> None:
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "entrypoints.sandbox", "--port", str(port), "--patients", "4"],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                metadata = httpx.get(f"http://127.0.0.1:{port}/fhir/r4/SANDBOX/metadata", timeout=1)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "the sandbox did not start"
                time.sleep(0.1)
        assert metadata.json()["fhirVersion"] == "4.0.1"
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=10)
    assert f"ECW_FHIR_BASE_URL=http://127.0.0.1:{port}/fhir/r4/SANDBOX" in output
