"""What the EMR providers share: the stored connections as the directory reads them, a gateway per
connection by its vendor profile, each practice's user launch, and the audit of every EMR token request."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from dishka import AsyncContainer

from adapters.ecw.profile import ecw_server
from adapters.fhir.client import FhirEmrGateway
from adapters.fhir.config import Closeable, SmartServerConfig, build_gateway
from adapters.fhir.directory import ConnectionSource, GatewayFactory, SmartEmrDirectory
from adapters.fhir.launch import LaunchClient, StandaloneLaunch
from adapters.fhir.launches import LaunchFor
from adapters.fhir.profile import smart_server
from adapters.fhir.smart import TokenObserver
from application.auditing import Auditor
from application.context import EMR_TOKEN_CLIENT
from domain.audit import AuditOutcome
from domain.emr_connections import FROM_SETTINGS, EmrConnection, EmrVendor
from domain.patients import DEFAULT_PRACTICE
from domain.ports import Clock, KeyStore, Tracer
from entrypoints.relay_wiring import scoped_unit_of_work

# each vendor profile turns a stored connection into a SMART server (eCW specifics stay in adapters/ecw)
PROFILES: dict[EmrVendor, Callable[[EmrConnection], SmartServerConfig]] = {
    EmrVendor.ECW: ecw_server, EmrVendor.SMART: smart_server,
}


def stored_connections(container: AsyncContainer) -> ConnectionSource:
    """The stored EMR connections, read in a unit of work of their own on each call."""

    async def read() -> Sequence[EmrConnection]:
        async with scoped_unit_of_work(container) as uow:
            return await uow.emr_connections.list()

    return read


def gateway_factory(keys: KeyStore, auditor: Auditor, tracer: Tracer) -> GatewayFactory:
    """A connection's own gateway (HTTP client, token cache, rate limiter), signing with our one key store."""

    def build(connection: EmrConnection) -> tuple[FhirEmrGateway, Closeable]:
        observer = token_auditor(auditor, connection.practice_id)
        return build_gateway(PROFILES[connection.vendor](connection), keys, token_observer=observer, tracer=tracer)

    return build


def seconds_of(clock: Clock) -> Callable[[], float]:
    """The clock as seconds, for rests and refreshes (a test's clock moves them)."""
    return lambda: clock.now().timestamp()


def token_auditor(auditor: Auditor, practice_id: str = DEFAULT_PRACTICE) -> TokenObserver:
    """Every EMR token request on the audit trail: the practice, outcome, HTTP status and OAuth error code only."""

    async def observe(succeeded: bool, http_status: int | None, error: str | None) -> None:
        code = re.sub(r"[^a-z0-9_]", "", (error or "").lower())[:40]
        await auditor.record(EMR_TOKEN_CLIENT, "emr.token", "AccessToken", (),
                             AuditOutcome.SUCCESS if succeeded else AuditOutcome.FAILURE,
                             http_status=str(http_status or ""), error=code, practice_id=practice_id)

    return observe


def launches_at(directory: SmartEmrDirectory, settings_launch: StandaloneLaunch, keys: KeyStore,
                redirect_uri: str) -> LaunchFor:
    """Each practice's user launch: the settings' one for `default`, else one per stored connection (its client
    secret from the key store under the connection's secret name; endpoints by SMART discovery)."""
    built: dict[str, tuple[int, StandaloneLaunch]] = {}

    async def launch_for(practice_id: str) -> StandaloneLaunch:
        connection, gateway = await directory.server(practice_id)
        if connection.id == FROM_SETTINGS:
            return settings_launch
        known = built.get(connection.id)
        if known is None or known[0] != connection.version:
            secret = await keys.stored_secret(connection.secret_name) or ""
            client = LaunchClient(gateway.session.base_url, connection.client_id, secret, redirect_uri,
                                  token_url=connection.token_url)
            known = built[connection.id] = (connection.version, StandaloneLaunch(gateway.session.http, client))
        return known[1]

    return launch_for
