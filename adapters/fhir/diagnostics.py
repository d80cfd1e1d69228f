"""EmrDiagnostics of a SMART/FHIR server: the eCW tutorial's JWT test and connection test, as plain results
(never an exception)."""

from __future__ import annotations

import time
from collections.abc import Callable

from adapters.fhir.client import FhirEmrGateway
from adapters.fhir.errors import SmartAuthError
from adapters.fhir.smart import SmartTokenClient
from domain.ports.emr import EmrError, EmrGateway, EmrRejected, EmrUnavailable
from domain.ports.emr_diagnostics import ConnectionTestResult, TokenTestResult

PREVIEW_CHARS = 20


class FhirEmrDiagnostics:
    """The checks run against the gateway's own server, token client and TLS settings."""

    def __init__(self, gateway: FhirEmrGateway) -> None:
        self._gateway = gateway

    async def test_token(self) -> TokenTestResult:
        return await run_jwt_test(self._gateway.session.tokens)

    async def test_connection(self) -> ConnectionTestResult:
        return await run_connection_test(self._gateway, self._gateway.session.base_url)


def token_preview(token: str) -> str:
    """The first characters (at most a third of the token: never enough to use it) + "...truncated"."""
    return token[: min(PREVIEW_CHARS, len(token) // 3)] + "...truncated"


async def run_jwt_test(tokens: SmartTokenClient) -> TokenTestResult:
    """Sign an assertion and exchange it for a token, reporting the outcome."""
    endpoint: str | None = None
    try:
        endpoint = await tokens.token_endpoint()
        token = await tokens.request_token()
    except SmartAuthError as error:
        return TokenTestResult("error", error.description or "the authorization server refused the assertion",
                               token_endpoint=endpoint, error=error.error, hint=error.hint)
    except EmrError as error:
        return TokenTestResult("error", str(error), token_endpoint=endpoint, error="unavailable",
                               hint=_hint(error))
    return TokenTestResult(
        "success", "JWT authentication successful", token_endpoint=endpoint,
        access_token_preview=token_preview(token.value), token_type=token.token_type,
        expires_in=token.expires_in, scope=token.scope,
        issued_at=token.issued_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
    )


async def run_connection_test(
    gateway: EmrGateway, fhir_base_url: str, clock: Callable[[], float] = time.perf_counter,
) -> ConnectionTestResult:
    """Read the CapabilityStatement, then count patients (which needs a token). Any EmrGateway works."""
    started = clock()
    try:
        connection = await gateway.check_connection()
        latency_ms = round((clock() - started) * 1000)
        patients = await gateway.search_patients(1, 1)
    except EmrError as error:
        return ConnectionTestResult("error", fhir_base_url, message=str(error), hint=_hint(error))
    return ConnectionTestResult(
        "success", connection.base_url, fhir_version=connection.fhir_version, capabilities=connection.capabilities,
        test_patient_count=patients.total if patients.total is not None else len(patients.patients),
        connection_latency_ms=latency_ms, supports_observation_create=connection.supports_observation_create,
        supports_conditional_create=connection.supports_conditional_create,
    )


def _hint(error: EmrError) -> str:
    if isinstance(error, SmartAuthError):
        return error.hint
    if "pins" in str(error):
        return "the server's certificate changed: check the TLS pins (add the new key's pin)"
    if "TLS" in str(error):
        return "check the server certificate, the CA bundle and that the server speaks TLS 1.2 or later"
    if isinstance(error, EmrUnavailable):
        return "the EMR is unreachable or busy: check the FHIR base URL and network, then try again"
    if isinstance(error, EmrRejected):
        return "the EMR refused the request: check the FHIR base URL, the practice code and granted scopes"
    return "check the EMR configuration and the application's registration"
