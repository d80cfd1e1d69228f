"""The `smart` vendor profile: any SMART Backend Services + FHIR R4 server, assuming nothing of its vendor.

The token URL is the connection's, else discovered from `{base}/.well-known/smart-configuration` at the
first token request; the scopes are the connection's; there is no practice code.
"""

from __future__ import annotations

from adapters.fhir.config import SmartServerConfig
from domain.emr_connections import EmrConnection


def smart_server(connection: EmrConnection) -> SmartServerConfig:
    """The server of a stored `smart` connection (ValueError when its TLS pins are malformed)."""
    return SmartServerConfig(
        fhir_base_url=connection.fhir_base_url, client_id=connection.client_id, token_url=connection.token_url,
        scope=connection.scopes, ca_pem=connection.ca_bundle_pem, tls_pins=connection.tls_pins,
        rate_limit_per_minute=connection.rate_limit_per_minute,
    )
