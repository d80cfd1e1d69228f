"""The in-memory EMR's answers to the set-up checks and to a SMART user launch: it has neither a token
endpoint nor user accounts, and says so."""

from __future__ import annotations

from domain.errors import Conflict
from domain.ports.emr import EmrError, EmrGateway
from domain.ports.emr_diagnostics import ConnectionTestResult, TokenTestResult
from domain.ports.user_launch import LinkedAccount

IN_MEMORY = "this deployment uses the in-memory EMR (VANTREXIA_EMR=fake)"
USE_SMART = "set VANTREXIA_EMR=ecw (or sandbox) to use SMART Backend Services"
NO_LAUNCH = "this deployment uses the in-memory EMR; set VANTREXIA_EMR=ecw (or sandbox) for SMART launches"


class InMemoryEmrDiagnostics:
    """EmrDiagnostics of the in-memory EMR: no token to get; the connection test reads its capabilities."""

    def __init__(self, emr: EmrGateway) -> None:
        self._emr = emr

    async def test_token(self) -> TokenTestResult:
        return TokenTestResult("error", IN_MEMORY, hint=USE_SMART)

    async def test_connection(self) -> ConnectionTestResult:
        try:
            connection = await self._emr.check_connection()
            patients = await self._emr.search_patients(1, 1)
        except EmrError as error:
            return ConnectionTestResult("error", "fake://emr", message=str(error), hint=IN_MEMORY)
        return ConnectionTestResult(
            "success", connection.base_url, fhir_version=connection.fhir_version,
            capabilities=connection.capabilities, test_patient_count=patients.total, connection_latency_ms=0,
            supports_observation_create=connection.supports_observation_create,
            supports_conditional_create=connection.supports_conditional_create, message=IN_MEMORY,
        )


class NoUserLaunch:
    """UserLaunch where there is no SMART server: every step is refused as a conflict with the set-up."""

    async def start(self, user_id: str, practice_id: str) -> str:
        raise Conflict(NO_LAUNCH)

    async def complete(self, *, code: str | None, state: str | None, error: str | None = None) -> LinkedAccount:
        raise Conflict(NO_LAUNCH)
