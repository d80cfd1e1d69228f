"""SMART standalone launch with PKCE (S256) against the sandbox's authorize and token endpoints."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from adapters.fakes.keystore import FakeKeyStore
from adapters.fhir.errors import SmartAuthError
from adapters.fhir.pkce import AuthorizationRequest, authorization_request, code_challenge, exchange_code
from entrypoints.sandbox import SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET
from entrypoints.sandbox.serve import RunningSandbox, serve_sandbox

REDIRECT = "https://app.vantrexia.example/api/v1/ecw/oauth/callback"


@pytest.fixture(scope="module")
def server() -> Iterator[RunningSandbox]:
    keys = FakeKeyStore()
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, keys.signing_key()).result()
    with serve_sandbox(keys.public_jwks) as running:
        yield running


@pytest.fixture
def sandbox(server: RunningSandbox) -> RunningSandbox:
    server.state.reset(patient_count=2)
    return server


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=5) as client:
        yield client


async def _authorize(http: httpx.AsyncClient, sandbox: RunningSandbox) -> tuple[AuthorizationRequest, dict[str, str]]:
    request = authorization_request(sandbox.authorize_url, client_id=SANDBOX_CLIENT_ID, redirect_uri=REDIRECT,
                                    aud=sandbox.fhir_base_url)
    redirect = await http.get(request.url)  # the sandbox approves at once and redirects back
    assert redirect.status_code == 302
    location = urlsplit(redirect.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT
    return request, {k: v[0] for k, v in parse_qs(location.query).items()}


async def test_the_authorize_url_carries_every_pkce_parameter(sandbox: RunningSandbox) -> None:
    request = authorization_request(sandbox.authorize_url, client_id="c1", redirect_uri=REDIRECT, aud="https://fhir")
    query = {k: v[0] for k, v in parse_qs(urlsplit(request.url).query).items()}
    assert query == {"response_type": "code", "client_id": "c1", "redirect_uri": REDIRECT, "aud": "https://fhir",
                     "scope": query["scope"], "state": request.state,
                     "code_challenge": code_challenge(request.code_verifier), "code_challenge_method": "S256"}
    assert 43 <= len(request.code_verifier) <= 128
    assert request.code_verifier not in repr(request)


async def test_a_code_is_exchanged_for_a_token_that_reads_fhir(
    sandbox: RunningSandbox, http: httpx.AsyncClient,
) -> None:
    request, answer = await _authorize(http, sandbox)
    assert answer["state"] == request.state
    token = await exchange_code(
        http, sandbox.token_url, code=answer["code"], returned_state=answer["state"], expected_state=request.state,
        code_verifier=request.code_verifier, client_id=SANDBOX_CLIENT_ID, client_secret=SANDBOX_CLIENT_SECRET,
        redirect_uri=REDIRECT)
    assert token.access_token not in repr(token)
    assert (token.token_type, token.patient) == ("bearer", "synthetic-patient-0001")
    patient = await http.get(f"{sandbox.fhir_base_url}/Patient/{token.patient}",
                             headers={"authorization": f"Bearer {token.access_token}"})
    assert patient.status_code == 200


async def test_a_wrong_state_stops_before_the_token_endpoint(sandbox: RunningSandbox, http: httpx.AsyncClient) -> None:
    request, answer = await _authorize(http, sandbox)
    with pytest.raises(SmartAuthError) as caught:
        await exchange_code(
            http, sandbox.token_url, code=answer["code"], returned_state="forged", expected_state=request.state,
            code_verifier=request.code_verifier, client_id=SANDBOX_CLIENT_ID, client_secret=SANDBOX_CLIENT_SECRET,
            redirect_uri=REDIRECT)
    assert caught.value.error == "invalid_state"
    assert sandbox.state.token_requests == 0


@pytest.mark.parametrize(("verifier", "secret", "error"), [
    ("another-verifier-of-sufficient-length-0123456789abcdef", SANDBOX_CLIENT_SECRET, "invalid_grant"),
    (None, "wrong-secret", "invalid_client"),
])
async def test_the_token_endpoint_checks_verifier_and_secret(
    sandbox: RunningSandbox, http: httpx.AsyncClient, verifier: str | None, secret: str, error: str,
) -> None:
    request, answer = await _authorize(http, sandbox)
    with pytest.raises(SmartAuthError) as caught:
        await exchange_code(
            http, sandbox.token_url, code=answer["code"], returned_state=answer["state"], expected_state=request.state,
            code_verifier=verifier or request.code_verifier, client_id=SANDBOX_CLIENT_ID, client_secret=secret,
            redirect_uri=REDIRECT)
    assert caught.value.error == error
    assert sandbox.state.token_errors == [error]
