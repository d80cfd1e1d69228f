"""SMART Backend Services: discovery, and client_credentials access tokens cached and refreshed once."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx

from adapters.fhir.assertion import ClientAssertionSigner
from adapters.fhir.errors import TRANSPORT_ERRORS, SmartAuthError, retry_after, transport_error
from application.tracing import NULL_TRACER
from domain.ports.emr import EmrUnavailable
from domain.ports.tracing import Tracer

__all__ = ["SYSTEM_SCOPES", "AccessToken", "ClientAssertionSigner", "SmartAuthError", "SmartConfiguration",
           "SmartTokenClient", "discover"]

SYSTEM_SCOPES = "system/Patient.read system/Observation.write system/Observation.read"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

TokenObserver = Callable[[bool, "int | None", "str | None"], Awaitable[None]]
"""Told of every token request: (succeeded, HTTP status, OAuth error code) — never the token itself."""


@dataclass(frozen=True)
class SmartConfiguration:
    """The parts of `/.well-known/smart-configuration` we use."""

    token_endpoint: str
    authorization_endpoint: str | None = None
    capabilities: tuple[str, ...] = ()


async def discover(http: httpx.AsyncClient, fhir_base_url: str) -> SmartConfiguration:
    """Read the server's SMART configuration (its endpoints must keep the base URL's https)."""
    url = fhir_base_url.rstrip("/") + "/.well-known/smart-configuration"
    action = "SMART discovery"
    try:
        response = await http.get(url, headers={"accept": "application/json"})
    except TRANSPORT_ERRORS as error:
        raise transport_error(error, action) from error
    if response.status_code >= 500 or response.status_code == 429:
        raise EmrUnavailable(f"{action} failed ({response.status_code})", http_status=response.status_code,
                             retry_after=retry_after(response))
    body = _json(response)
    token = body.get("token_endpoint")
    if response.status_code != 200 or not isinstance(token, str):
        raise SmartAuthError("discovery_failed", f"no token_endpoint at the SMART configuration "
                             f"({response.status_code})", "configure the token URL explicitly",
                             http_status=response.status_code)
    authorize = body.get("authorization_endpoint")
    for endpoint in (token, authorize):
        if isinstance(endpoint, str) and url.startswith("https:") and not endpoint.startswith("https:"):
            raise SmartAuthError("discovery_failed", "the SMART configuration names a non-https endpoint")
    capabilities = body.get("capabilities") or []
    return SmartConfiguration(token, authorize if isinstance(authorize, str) else None,
                              tuple(str(c) for c in capabilities if isinstance(c, str)))


@dataclass(frozen=True)
class AccessToken:
    """A bearer token (its value never shown in repr) and when, by our clock, to stop using it."""

    value: str = field(repr=False)
    token_type: str
    expires_in: int
    scope: str
    issued_at: datetime
    refresh_at: float


class SmartTokenClient:
    """client_credentials tokens with a signed assertion; one refresh at a time, cached until
    `refresh_margin_seconds` before expiry; `invalidate()` after a 401."""

    def __init__(
        self, http: httpx.AsyncClient, signer: ClientAssertionSigner, *, fhir_base_url: str,
        token_url: str | None = None, scope: str = SYSTEM_SCOPES, refresh_margin_seconds: float = 60,
        clock: Callable[[], float] = time.time, observer: TokenObserver | None = None,
        tracer: Tracer = NULL_TRACER,
    ) -> None:
        self._http, self._signer, self._base = http, signer, fhir_base_url
        self._token_url, self._scope = token_url, scope
        self._margin, self._clock = refresh_margin_seconds, clock
        self._cached: AccessToken | None = None
        self._lock = asyncio.Lock()
        self._observer = observer
        self._tracer = tracer

    async def token_endpoint(self) -> str:
        if self._token_url is None:
            self._token_url = (await discover(self._http, self._base)).token_endpoint
        return self._token_url

    async def access_token(self) -> str:
        """A valid bearer token: the cached one, or one fetched by exactly one caller."""
        cached = self._cached
        if cached is not None and self._clock() < cached.refresh_at:
            return cached.value
        async with self._lock:
            cached = self._cached
            if cached is None or self._clock() >= cached.refresh_at:
                cached = self._cached = await self.request_token()
            return cached.value

    def invalidate(self, token: str | None = None) -> None:
        """Forget the cached token (only if it is `token`, when given: one refresh per 401 wave)."""
        if token is None or (self._cached is not None and self._cached.value == token):
            self._cached = None

    async def request_token(self) -> AccessToken:
        """Always asks the token endpoint (the JWT test uses this); the observer hears the outcome."""
        with self._tracer.span("emr.token") as span:
            try:
                token = await self._request_token()
            except SmartAuthError as error:
                span.set("outcome", error.error)
                await self._observe(False, error.http_status, error.error)
                raise
            except EmrUnavailable as error:
                span.set("outcome", "unavailable")
                await self._observe(False, error.http_status, "unavailable")
                raise
            span.set("outcome", "success")
        await self._observe(True, 200, None)
        return token

    async def _observe(self, succeeded: bool, http_status: int | None, error: str | None) -> None:
        if self._observer is not None:
            await self._observer(succeeded, http_status, error)

    async def _request_token(self) -> AccessToken:
        endpoint = await self.token_endpoint()
        form = {
            "grant_type": "client_credentials", "client_assertion_type": ASSERTION_TYPE,
            "client_assertion": await self._signer.sign(endpoint), "scope": self._scope,
        }
        try:
            response = await self._http.post(endpoint, data=form, headers={"accept": "application/json"})
        except TRANSPORT_ERRORS as error:
            raise transport_error(error, "token request") from error
        return self._parse(response)

    def _parse(self, response: httpx.Response) -> AccessToken:
        status = response.status_code
        if status == 429 or status >= 500:
            raise EmrUnavailable(f"token request failed ({status})", http_status=status,
                                 retry_after=retry_after(response))
        body = _json(response)
        if status != 200:
            error = body.get("error") if isinstance(body.get("error"), str) else f"http_{status}"
            raise SmartAuthError(str(error), str(body.get("error_description") or ""), http_status=status)
        value, expires_in = body.get("access_token"), body.get("expires_in", 300)
        if not isinstance(value, str) or not value or not isinstance(expires_in, int | float):
            raise SmartAuthError("invalid_response", "the token response has no usable access_token",
                                 http_status=status)
        margin, now = min(self._margin, expires_in / 2), self._clock()
        return AccessToken(
            value=value, token_type=str(body.get("token_type", "bearer")), expires_in=int(expires_in),
            scope=str(body.get("scope", self._scope)), issued_at=datetime.fromtimestamp(int(now), UTC),
            refresh_at=now + expires_in - margin,
        )


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
