"""The tutorial's JWT test and connection test, run against the sandbox: seed fields, errors as results."""

from __future__ import annotations

import re
from dataclasses import asdict
from typing import Any

import pytest

from adapters.fakes.emr import FakeEmrGateway
from adapters.fakes.keystore import FakeKeyStore
from adapters.fakes.synthetic import synthetic_patients
from adapters.fhir.config import SmartServerConfig, build_gateway
from adapters.fhir.diagnostics import run_connection_test, run_jwt_test
from entrypoints.sandbox import SANDBOX_CLIENT_ID
from entrypoints.sandbox.serve import RunningSandbox

SCOPE = "system/Patient.read system/Observation.write system/Observation.read"


@pytest.fixture
def sandbox(server: RunningSandbox) -> RunningSandbox:
    server.state.reset(patient_count=142)
    return server


def config(sandbox: RunningSandbox, client_id: str = SANDBOX_CLIENT_ID, **changes: str) -> SmartServerConfig:
    return SmartServerConfig(fhir_base_url=changes.get("fhir_base_url", sandbox.fhir_base_url),
                             client_id=client_id, token_url=sandbox.token_url)


async def test_jwt_test_reports_the_token_it_got(sandbox: RunningSandbox, keys: FakeKeyStore) -> None:
    emr, closeable = build_gateway(config(sandbox), keys)
    result = _fields(await run_jwt_test(emr.session.tokens))
    await closeable.aclose()
    assert set(result) == {"status", "message", "token_endpoint", "access_token_preview", "token_type",
                           "expires_in", "scope", "issued_at"}
    assert (result["status"], result["message"]) == ("success", "JWT authentication successful")
    assert (result["token_endpoint"], result["token_type"], result["expires_in"], result["scope"]) == (
        sandbox.token_url, "bearer", 3600, SCOPE)
    assert re.fullmatch(r"\S{1,20}\.\.\.truncated", result["access_token_preview"])
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", result["issued_at"])
    issued = next(iter(sandbox.state.tokens))
    assert issued not in str(result)
    assert sandbox.state.token_requests == 1


@pytest.mark.parametrize(("client_id", "own_keys", "error"), [
    ("wrong-client", False, "invalid_client"), (SANDBOX_CLIENT_ID, True, "key_not_found"),
])
async def test_jwt_test_reports_oauth_errors_with_a_hint(
    sandbox: RunningSandbox, keys: FakeKeyStore, client_id: str, own_keys: bool, error: str,
) -> None:
    emr, closeable = build_gateway(config(sandbox, client_id), FakeKeyStore() if own_keys else keys)
    result = await run_jwt_test(emr.session.tokens)
    await closeable.aclose()
    assert (result.status, result.error, result.token_endpoint) == ("error", error, sandbox.token_url)
    assert result.hint
    assert result.access_token_preview is None


async def test_jwt_test_reports_an_unreachable_server(sandbox: RunningSandbox, keys: FakeKeyStore) -> None:
    sandbox.state.fail_next(503, path_prefix="/oauth")
    emr, closeable = build_gateway(config(sandbox), keys)
    result = await run_jwt_test(emr.session.tokens)
    await closeable.aclose()
    assert (result.status, result.error) == ("error", "unavailable")
    assert "503" in result.message


async def test_connection_test_reports_capabilities_and_patient_count(
    sandbox: RunningSandbox, keys: FakeKeyStore,
) -> None:
    sandbox.state.conditional_create = False
    emr, closeable = build_gateway(config(sandbox), keys)
    result = _fields(await run_connection_test(emr, emr.session.base_url))
    await closeable.aclose()
    assert result["status"] == "success"
    assert result["fhir_base_url"] == sandbox.fhir_base_url
    assert result["fhir_version"] == "4.0.1"
    assert result["capabilities"] == ("Patient.read", "Observation.read", "Observation.write")
    assert result["test_patient_count"] == 142
    assert isinstance(result["connection_latency_ms"], int)
    assert (result["supports_observation_create"], result["supports_conditional_create"]) == (True, False)


async def test_connection_test_never_raises(sandbox: RunningSandbox, keys: FakeKeyStore) -> None:
    emr, closeable = build_gateway(config(sandbox, fhir_base_url=sandbox.origin + "/nowhere"), keys)
    result = await run_connection_test(emr, sandbox.origin + "/nowhere")
    await closeable.aclose()
    assert (result.status, result.fhir_version, result.fhir_base_url) == ("error", None, sandbox.origin + "/nowhere")
    assert "404" in (result.message or "")
    assert result.hint == "the EMR refused the request: check the FHIR base URL, the practice code and granted scopes"


async def test_connection_test_works_for_any_emr_gateway() -> None:
    result = await run_connection_test(FakeEmrGateway(synthetic_patients(7)), "fake://emr")
    assert (result.status, result.test_patient_count, result.fhir_base_url) == ("success", 7, "fake://emr")


def _fields(result: Any) -> dict[str, Any]:
    """The fields a response carries: those that apply."""
    return {k: v for k, v in asdict(result).items() if v is not None}
