"""The EMR set-up checks of the eCW tutorial: can we get a token, and does the FHIR server answer?"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class TokenTestResult:
    """A signed client assertion exchanged for a token (error and hint only on failure; never the token)."""

    status: str
    message: str
    token_endpoint: str | None = None
    access_token_preview: str | None = None
    token_type: str | None = None
    expires_in: int | None = None
    scope: str | None = None
    issued_at: str | None = None
    error: str | None = None
    hint: str | None = None


@dataclass(frozen=True)
class ConnectionTestResult:
    """The FHIR server's CapabilityStatement and a patient count (message and hint when something is off)."""

    status: str
    fhir_base_url: str
    fhir_version: str | None = None
    capabilities: tuple[str, ...] = ()
    test_patient_count: int | None = None
    connection_latency_ms: int | None = None
    supports_observation_create: bool | None = None
    supports_conditional_create: bool | None = None
    message: str | None = None
    hint: str | None = None


class EmrDiagnostics(Protocol):
    """Both checks answer a result, never raise: a failure is `status="error"` with a hint."""

    async def test_token(self) -> TokenTestResult: ...

    async def test_connection(self) -> ConnectionTestResult: ...
