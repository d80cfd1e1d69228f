"""A generic SMART/FHIR server's configuration, and the factory of its gateway (any vendor)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from adapters.fhir.assertion import ClientAssertionSigner
from adapters.fhir.client import FhirEmrGateway
from adapters.fhir.ratelimit import DEFAULT_BURST, DEFAULT_PER_MINUTE, RateLimiter
from adapters.fhir.secure_client import SecureClient, secure_client
from adapters.fhir.session import FhirSession
from adapters.fhir.smart import SYSTEM_SCOPES, SmartTokenClient, TokenObserver
from adapters.fhir.tls import parse_pins
from application.tracing import NULL_TRACER
from domain.ports.keys import KeyStore
from domain.ports.tracing import Tracer


class Closeable(Protocol):
    async def aclose(self) -> None: ...


@dataclass(frozen=True)
class SmartServerConfig:
    """Where the server is and how we authenticate; `token_url=None` means discover it."""

    fhir_base_url: str
    client_id: str
    token_url: str | None = None
    scope: str = SYSTEM_SCOPES
    client_secret: str | None = field(default=None, repr=False)
    authorize_url: str | None = None
    ca_bundle: str | None = None
    ca_pem: str | None = field(default=None, repr=False)
    tls_pins: tuple[str, ...] = ()
    rate_limit_per_minute: int = DEFAULT_PER_MINUTE
    rate_limit_burst: int = DEFAULT_BURST
    timeout_seconds: float = 10.0

    def __post_init__(self) -> None:
        for name in ("fhir_base_url", "token_url", "authorize_url"):
            url = getattr(self, name)
            if url is not None and not url.startswith(("https://", "http://")):
                raise ValueError(f"{name} must be an http(s) URL")
        if not self.client_id:
            raise ValueError("client_id is required")
        if self.rate_limit_per_minute < 1 or self.timeout_seconds <= 0:
            raise ValueError("rate_limit_per_minute and timeout_seconds must be positive")
        object.__setattr__(self, "tls_pins", tuple(sorted(parse_pins(self.tls_pins))))


def build_gateway(
    config: SmartServerConfig, key_store: KeyStore, *, http: SecureClient | None = None,
    limiter: RateLimiter | None = None, clock: Callable[[], float] = time.time,
    token_observer: TokenObserver | None = None, tracer: Tracer = NULL_TRACER,
) -> tuple[FhirEmrGateway, Closeable]:
    """The gateway and what to close at shutdown (its HTTP client)."""
    client = http or secure_client(ca_bundle=config.ca_bundle, ca_pem=config.ca_pem, pins=config.tls_pins,
                                   timeout_seconds=config.timeout_seconds)
    signer = ClientAssertionSigner(key_store, config.client_id, clock=clock)
    tokens = SmartTokenClient(client, signer, fhir_base_url=config.fhir_base_url, token_url=config.token_url,
                              scope=config.scope, clock=clock, observer=token_observer, tracer=tracer)
    limiter = limiter or RateLimiter(config.rate_limit_per_minute, config.rate_limit_burst)
    session = FhirSession(client, tokens, limiter, config.fhir_base_url, tracer)
    return FhirEmrGateway(session), client
