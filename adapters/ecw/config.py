"""eClinicalWorks settings (the tutorial's ECW_* variables) resolved to a generic SMART server config."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from adapters.fhir.client import FhirEmrGateway
from adapters.fhir.config import Closeable, SmartServerConfig, build_gateway
from adapters.fhir.ratelimit import DEFAULT_PER_MINUTE, RateLimiter
from adapters.fhir.secure_client import SecureClient
from adapters.fhir.smart import TokenObserver
from adapters.fhir.tls import parse_pins
from application.tracing import NULL_TRACER
from domain.ports.keys import KeyStore
from domain.ports.tracing import Tracer

# the tutorial's "Quick Reference" sandbox values
STAGING_TOKEN_URL = "https://staging-oauthserver.eclinicalworks.com/oauth/oauth2/token"  # noqa: S105 - a URL
STAGING_FHIR_BASE_URL = "https://sandbox-fhir4.eclinicalworks.com/fhir/r4/{practice_code}"
ENVIRONMENTS = ("staging", "production")
APP_TYPES = ("backend_service",)
PRACTICE_CODE = re.compile(r"[A-Za-z0-9_-]{1,32}")


class ConfigError(ValueError):
    """The eCW configuration is missing or wrong; the message names the environment variable."""

    def __init__(self, variable: str, problem: str) -> None:
        super().__init__(f"{variable} {problem}")
        self.variable = variable


@dataclass(frozen=True)
class EcwConfig:
    """The ECW_* values; `staging` fills in the sandbox URLs, `production` needs ECW_FHIR_BASE_URL."""

    client_id: str
    client_secret: str | None = field(default=None, repr=False)
    environment: str = "staging"
    practice_code: str | None = None
    app_type: str = "backend_service"
    fhir_base_url: str | None = None
    token_url: str | None = None
    authorize_url: str | None = None
    ca_bundle: str | None = None
    tls_pins: tuple[str, ...] = ()
    rate_limit_per_minute: int = DEFAULT_PER_MINUTE

    def __post_init__(self) -> None:
        if not self.client_id:
            raise ConfigError("ECW_CLIENT_ID", "is required (the Client ID from the eCW developer portal)")
        if self.environment not in ENVIRONMENTS:
            raise ConfigError("ECW_ENVIRONMENT", f"must be one of {', '.join(ENVIRONMENTS)}")
        if self.app_type not in APP_TYPES:
            raise ConfigError("ECW_APP_TYPE", f"must be {' or '.join(APP_TYPES)} for this integration")
        if self.practice_code is not None and not PRACTICE_CODE.fullmatch(self.practice_code):
            raise ConfigError("ECW_PRACTICE_CODE", "must be letters, digits, '-' or '_' (e.g. FFHEDD)")
        if self.rate_limit_per_minute < 1:
            raise ConfigError("ECW_RATE_LIMIT_PER_MINUTE", "must be at least 1")
        if self.ca_bundle is not None and not Path(self.ca_bundle).is_file():
            raise ConfigError("ECW_CA_BUNDLE", "must name a readable PEM file")
        try:
            parse_pins(self.tls_pins)
        except ValueError:
            raise ConfigError("ECW_TLS_PINS", "must be base64 SHA-256 SPKI pins, comma-separated") from None
        self.smart_config()  # every URL problem surfaces at start-up

    def smart_config(self) -> SmartServerConfig:
        """The resolved server: overrides win in every environment, staging fills in the rest."""
        base, token = self.fhir_base_url, self.token_url
        if self.environment == "staging":
            token = token or STAGING_TOKEN_URL
            if base is None:
                if not self.practice_code:
                    raise ConfigError("ECW_PRACTICE_CODE", "is required for ECW_ENVIRONMENT=staging")
                base = STAGING_FHIR_BASE_URL.format(practice_code=self.practice_code)
        elif base is None:
            raise ConfigError("ECW_FHIR_BASE_URL", "is required when ECW_ENVIRONMENT=production "
                              "(eCW publishes no production URL; ECW_TOKEN_URL is discovered if unset)")
        for variable, url in (("ECW_FHIR_BASE_URL", base), ("ECW_TOKEN_URL", token),
                              ("ECW_AUTHORIZE_URL", self.authorize_url)):
            if url is not None and not _acceptable(url, self.environment):
                raise ConfigError(variable, "must be an https:// URL (http only to localhost outside production)")
        return SmartServerConfig(
            fhir_base_url=base, client_id=self.client_id, token_url=token, client_secret=self.client_secret,
            authorize_url=self.authorize_url, ca_bundle=self.ca_bundle, tls_pins=self.tls_pins,
            rate_limit_per_minute=self.rate_limit_per_minute,
        )


def build_ecw_gateway(
    config: EcwConfig, key_store: KeyStore, *, http: SecureClient | None = None,
    limiter: RateLimiter | None = None, token_observer: TokenObserver | None = None, tracer: Tracer = NULL_TRACER,
) -> tuple[FhirEmrGateway, Closeable]:
    """The eCW EmrGateway and what to close at shutdown (its HTTP client)."""
    return build_gateway(config.smart_config(), key_store, http=http, limiter=limiter,
                         token_observer=token_observer, tracer=tracer)


def _acceptable(url: str, environment: str) -> bool:
    if url.startswith("https://"):
        return True
    local = re.match(r"http://(127\.0\.0\.1|localhost|\[::1\])(:\d+)?(/|$)", url) is not None
    return local and environment != "production"
