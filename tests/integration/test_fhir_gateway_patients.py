"""The real FHIR gateway against the sandbox over HTTP: tokens, 401 retry, patient paging and reads."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest

from adapters.fakes.keystore import FakeKeyStore
from adapters.fakes.synthetic import synthetic_patients
from adapters.fhir.assertion import ClientAssertionSigner
from adapters.fhir.client import FhirEmrGateway
from adapters.fhir.config import SmartServerConfig, build_gateway
from adapters.fhir.errors import SmartAuthError
from adapters.fhir.ratelimit import RateLimiter
from adapters.fhir.smart import SmartTokenClient
from domain.ports.emr import EmrError, EmrUnavailable
from entrypoints.sandbox import SANDBOX_CLIENT_ID
from entrypoints.sandbox.serve import RunningSandbox, serve_sandbox


@pytest.fixture
def sandbox(server: RunningSandbox) -> RunningSandbox:
    server.state.reset(patient_count=45)
    return server


def config_for(sandbox: RunningSandbox, **changes: object) -> SmartServerConfig:
    values: dict[str, object] = {"fhir_base_url": sandbox.fhir_base_url, "client_id": SANDBOX_CLIENT_ID,
                                 "token_url": sandbox.token_url, "rate_limit_per_minute": 100_000}
    return SmartServerConfig(**{**values, **changes})  # type: ignore[arg-type]


@pytest.fixture
async def gateway(sandbox: RunningSandbox, keys: FakeKeyStore) -> AsyncIterator[FhirEmrGateway]:
    emr, closeable = build_gateway(config_for(sandbox), keys)
    yield emr
    await closeable.aclose()


async def test_pages_follow_next_links_and_remember_them(gateway: FhirEmrGateway, sandbox: RunningSandbox) -> None:
    third = await gateway.search_patients(3, 20)
    assert (third.total, len(third.patients)) == (45, 5)
    assert third.patients[0].emr_patient_id == "synthetic-patient-0041"
    walked = sandbox.state.requests_to("GET", f"{sandbox.fhir_path}/Patient")
    assert [path.split("?")[1] for path in walked] == [
        "_count=20", "_count=20&_getpagesoffset=20", "_count=20&_getpagesoffset=40"]
    fourth = await gateway.search_patients(4, 20)
    assert fourth.patients == ()
    assert len(sandbox.state.requests_to("GET", f"{sandbox.fhir_path}/Patient")) == 4  # from page 3's link


async def test_every_patient_appears_once_across_pages(gateway: FhirEmrGateway) -> None:
    seen = [p.emr_patient_id for page in range(1, 5) for p in (await gateway.search_patients(page, 12)).patients]
    assert seen == [f"synthetic-patient-{n:04d}" for n in range(1, 46)]


async def test_read_patient_maps_demographics(gateway: FhirEmrGateway) -> None:
    expected = synthetic_patients(45)[6]
    patient = await gateway.read_patient(expected.emr_patient_id)
    assert patient is not None
    assert (patient.name, patient.birth_date, patient.mrn, patient.phone) == (
        expected.name, expected.birth_date, expected.mrn, expected.phone)
    assert patient.address == f"{expected.address}, IL 62701"


async def test_unknown_or_malformed_patient_ids_read_as_none(gateway: FhirEmrGateway, sandbox: RunningSandbox) -> None:
    assert await gateway.read_patient("synthetic-patient-9999") is None
    assert await gateway.read_patient("../Observation") is None
    assert sandbox.state.requests_to("GET", f"{sandbox.fhir_path}/Patient/") == [
        f"{sandbox.fhir_path}/Patient/synthetic-patient-9999"]


async def test_fifty_concurrent_calls_share_one_token(gateway: FhirEmrGateway, sandbox: RunningSandbox) -> None:
    patients = await asyncio.gather(*(gateway.read_patient(f"synthetic-patient-{n:04d}") for n in range(1, 51)))
    assert sum(p is not None for p in patients) == 45
    assert sandbox.state.token_requests == 1
    assert len(sandbox.state.requests_to("GET", f"{sandbox.fhir_path}/Patient/")) == 50


async def test_a_401_refreshes_the_token_and_retries_once(gateway: FhirEmrGateway, sandbox: RunningSandbox) -> None:
    await gateway.read_patient("synthetic-patient-0001")
    sandbox.state.expire_tokens()  # the EMR revoked it early
    assert await gateway.read_patient("synthetic-patient-0002") is not None
    assert sandbox.state.token_requests == 2
    assert len(sandbox.state.requests_to("GET", f"{sandbox.fhir_path}/Patient/synthetic-patient-0002")) == 2


async def test_a_second_401_is_not_retried(gateway: FhirEmrGateway, sandbox: RunningSandbox) -> None:
    sandbox.state.fail_next(401, count=3, path_prefix=f"{sandbox.fhir_path}/Patient")
    with pytest.raises(EmrError) as caught:
        await gateway.read_patient("synthetic-patient-0001")
    assert caught.value.http_status == 401
    assert sandbox.state.token_requests == 2
    assert len(sandbox.state.failures) == 1  # two tries, not three


async def test_the_token_is_reused_until_a_minute_before_it_expires(
    sandbox: RunningSandbox, keys: FakeKeyStore,
) -> None:
    sandbox.state.token_lifetime_seconds = 600
    now = [1_000.0]
    async with httpx.AsyncClient() as http:
        tokens = SmartTokenClient(http, ClientAssertionSigner(keys, SANDBOX_CLIENT_ID), token_url=sandbox.token_url,
                                  fhir_base_url=sandbox.fhir_base_url, clock=lambda: now[0])
        first = await tokens.access_token()
        now[0] += 600 - 61
        assert await tokens.access_token() == first
        now[0] += 2
        assert await tokens.access_token() != first
    assert sandbox.state.token_requests == 2


@pytest.mark.parametrize(("client_id", "own_keys", "error"), [
    ("not-registered", False, "invalid_client"), (SANDBOX_CLIENT_ID, True, "key_not_found"),
])
async def test_oauth_refusals_become_smart_auth_errors(
    sandbox: RunningSandbox, keys: FakeKeyStore, client_id: str, own_keys: bool, error: str,
) -> None:
    emr, closeable = build_gateway(config_for(sandbox, client_id=client_id), FakeKeyStore() if own_keys else keys)
    with pytest.raises(SmartAuthError) as caught:
        await emr.read_patient("synthetic-patient-0001")
    await closeable.aclose()
    assert (caught.value.error, caught.value.http_status) == (error, 400)
    assert caught.value.hint
    assert sandbox.state.requests_to("GET", f"{sandbox.fhir_path}/Patient") == []


async def test_every_fhir_call_passes_the_rate_limiter(sandbox: RunningSandbox, keys: FakeKeyStore) -> None:
    clock, slept = [0.0], []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        clock[0] += seconds

    limiter = RateLimiter(per_minute=61, burst=1, clock=lambda: clock[0], sleep=sleep)
    emr, closeable = build_gateway(config_for(sandbox), keys, limiter=limiter)
    await emr.check_connection()
    await emr.search_patients(2, 10)  # two calls: page 1, then its next link
    await emr.read_patient("synthetic-patient-0003")
    await closeable.aclose()
    assert slept == pytest.approx([1.0, 1.0, 1.0])  # 4 calls at one a second after the first


async def test_a_server_that_is_down_is_temporarily_unavailable(keys: FakeKeyStore) -> None:
    with serve_sandbox(keys.public_jwks) as gone:
        config = SmartServerConfig(fhir_base_url=gone.fhir_base_url, client_id=SANDBOX_CLIENT_ID,
                                   token_url=gone.token_url)
    emr, closeable = build_gateway(config, keys)
    with pytest.raises(EmrUnavailable, match=r"could not reach 127\.0\.0\.1"):
        await emr.check_connection()
    await closeable.aclose()


async def test_a_generic_smart_server_needs_only_configuration(keys: FakeKeyStore) -> None:
    """Another vendor: a different FHIR path, token URL discovered — no code outside configuration."""
    with serve_sandbox(keys.public_jwks, fhir_path="/api/FHIR/R4") as other:
        emr, closeable = build_gateway(
            SmartServerConfig(fhir_base_url=other.fhir_base_url, client_id=SANDBOX_CLIENT_ID), keys)
        connection = await emr.check_connection()
        page = await emr.search_patients(1, 5)
        await closeable.aclose()
    assert connection.base_url == other.fhir_base_url
    assert connection.supports_conditional_create
    assert len(page.patients) == 5
    assert other.state.requests[:2] == [("GET", "/api/FHIR/R4/metadata"),
                                        ("GET", "/api/FHIR/R4/.well-known/smart-configuration")]
    assert other.state.token_requests == 1
