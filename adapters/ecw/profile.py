"""The `ecw` vendor profile: eClinicalWorks' URLs from a practice code, as a generic SMART server."""

from __future__ import annotations

from adapters.ecw.config import EcwConfig
from adapters.fhir.directory import settings_connection
from domain.emr_connections import EmrConnection, EmrVendor


def ecw_connection(config: EcwConfig) -> EmrConnection:
    """The ECW_* settings as the `default` practice's connection (URLs resolved as the gateway uses them)."""
    smart = config.smart_config()
    return settings_connection(
        EmrVendor.ECW, smart.fhir_base_url, smart.client_id, token_url=smart.token_url, scopes=smart.scope,
        practice_code=config.practice_code, rate_limit_per_minute=config.rate_limit_per_minute,
        tls_pins=smart.tls_pins,
    )
