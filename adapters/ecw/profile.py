"""The `ecw` vendor profile: eClinicalWorks' URLs and quirks for a stored connection, and the ECW_* settings
as the `default` practice's connection.

eCW's FHIR base URL ends in the practice code (`…/fhir/r4/{practice_code}`): a connection may give the
staging base without it and its practice code, as the tutorial's quick reference does. eCW's staging
sandbox publishes its token URL rather than a SMART configuration, so that one is filled in too; any other
eCW server without a token URL is asked for its SMART configuration.
"""

from __future__ import annotations

from dataclasses import replace

from adapters.ecw.config import STAGING_FHIR_BASE_URL, STAGING_TOKEN_URL, EcwConfig
from adapters.fhir.config import SmartServerConfig
from adapters.fhir.directory import settings_connection
from adapters.fhir.profile import smart_server
from domain.emr_connections import EmrConnection, EmrVendor

STAGING_BASE = STAGING_FHIR_BASE_URL.removesuffix("/{practice_code}")


def ecw_base_url(fhir_base_url: str, practice_code: str | None) -> str:
    """The practice's FHIR base: the staging base gets the practice code appended when it lacks one."""
    base = fhir_base_url.rstrip("/")
    if base == STAGING_BASE and practice_code:
        return STAGING_FHIR_BASE_URL.format(practice_code=practice_code)
    return base


def ecw_server(connection: EmrConnection) -> SmartServerConfig:
    """The server of a stored `ecw` connection."""
    base = ecw_base_url(connection.fhir_base_url, connection.practice_code)
    token_url = connection.token_url
    if token_url is None and base.startswith(STAGING_BASE + "/"):
        token_url = STAGING_TOKEN_URL
    return replace(smart_server(connection), fhir_base_url=base, token_url=token_url)


def ecw_connection(config: EcwConfig) -> EmrConnection:
    """The ECW_* settings as the `default` practice's connection (URLs resolved as the gateway uses them)."""
    smart = config.smart_config()
    return settings_connection(
        EmrVendor.ECW, smart.fhir_base_url, smart.client_id, token_url=smart.token_url, scopes=smart.scope,
        practice_code=config.practice_code, rate_limit_per_minute=config.rate_limit_per_minute,
        tls_pins=smart.tls_pins,
    )
