"""EmrDirectory over SMART/FHIR servers: each practice's connection has its own gateway."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from adapters.fhir.client import FhirEmrGateway
from adapters.fhir.diagnostics import FhirEmrDiagnostics
from domain.emr_connections import DEFAULT_SCOPES, FROM_SETTINGS, EmrConnection, EmrVendor, NoEmrConnection
from domain.patients import DEFAULT_PRACTICE
from domain.ports.emr import EmrGateway
from domain.ports.emr_diagnostics import EmrDiagnostics

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def settings_connection(
    vendor: EmrVendor, fhir_base_url: str, client_id: str, *, token_url: str | None = None,
    scopes: str = DEFAULT_SCOPES, practice_code: str | None = None, rate_limit_per_minute: int = 300,
    tls_pins: tuple[str, ...] = (),
) -> EmrConnection:
    """The `default` practice's connection made of settings (id "settings"; it never changes while running)."""
    return EmrConnection(
        id=FROM_SETTINGS, practice_id=DEFAULT_PRACTICE, vendor=vendor, fhir_base_url=fhir_base_url,
        client_id=client_id, created_at=EPOCH, updated_at=EPOCH, token_url=token_url, scopes=scopes,
        practice_code=practice_code, rate_limit_per_minute=rate_limit_per_minute, tls_pins=tls_pins,
    )


class SettingsOnlyDirectory:
    """The `default` practice's EMR from settings, and no other practice's."""

    def __init__(self, connection: EmrConnection, gateway: FhirEmrGateway) -> None:
        self._connection, self._gateway = connection, gateway

    async def gateway(self, practice_id: str) -> EmrGateway:
        if practice_id != self._connection.practice_id:
            raise NoEmrConnection(practice_id)
        return self._gateway

    async def diagnostics(self, practice_id: str) -> EmrDiagnostics:
        if practice_id != self._connection.practice_id:
            raise NoEmrConnection(practice_id)
        return FhirEmrDiagnostics(self._gateway)

    def resting(self) -> frozenset[str]:
        return frozenset()

    async def connections(self) -> Sequence[EmrConnection]:
        return [self._connection]
