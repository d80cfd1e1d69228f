"""Calls to one FHIR server: rate-limited, with a bearer token, retried once after a 401 and once after a
kept-alive connection the server had closed (for requests that are safe to repeat)."""

from __future__ import annotations

from typing import Any

import httpx
import msgspec

from adapters.fhir.errors import TRANSPORT_ERRORS, transport_error
from adapters.fhir.ratelimit import RateLimiter
from adapters.fhir.secure_client import SecureClient
from adapters.fhir.smart import SmartTokenClient
from application.tracing import NULL_TRACER
from domain.ports.emr import EmrRejected
from domain.ports.tracing import Tracer

FHIR_JSON = "application/fhir+json"
_KNOWN_PATHS = 32  # fixed paths ("Observation", "metadata") keep their parsed URL; ids do not pile up


class FhirSession:
    """Every outbound FHIR call goes through `request` (and so through the practice's rate limiter)."""

    def __init__(
        self, http: SecureClient, tokens: SmartTokenClient, limiter: RateLimiter, base_url: str,
        tracer: Tracer = NULL_TRACER,
    ) -> None:
        self._http, self._tokens, self._limiter, self._tracer = http, tokens, limiter, tracer
        self._base = httpx.URL(base_url.rstrip("/") + "/")
        self._urls: dict[str, httpx.URL] = {}
        # what the client would merge into each request, worked out once
        self._defaults = {**dict(http.headers.items()), "accept": FHIR_JSON}
        self._timeout = {"timeout": http.timeout.as_dict()}

    @property
    def base_url(self) -> str:
        return str(self._base).rstrip("/")

    @property
    def tokens(self) -> SmartTokenClient:
        return self._tokens

    @property
    def http(self) -> SecureClient:
        """The (pinned, TLS 1.2+) client, for calls outside FHIR such as the PKCE code exchange."""
        return self._http

    def url(self, path_or_link: str) -> httpx.URL:
        """A path relative to the base, or an absolute link (paging) on the same server only."""
        known = self._urls.get(path_or_link)
        if known is not None:
            return known
        url = self._base.join(path_or_link.lstrip("/")) if "://" not in path_or_link else httpx.URL(path_or_link)
        if (url.scheme, url.host, url.port) != (self._base.scheme, self._base.host, self._base.port):
            raise EmrRejected("the EMR returned a link to another server: not followed")
        if "/" not in path_or_link and len(self._urls) < _KNOWN_PATHS:
            self._urls[path_or_link] = url
        return url

    async def request(
        self, method: str, path: str, *, action: str, params: dict[str, Any] | None = None,
        json: dict[str, Any] | None = None, headers: dict[str, str] | None = None, authorized: bool = True,
    ) -> httpx.Response:
        """The server's response, whatever its status; transport failures raise EmrUnavailable."""
        url = self.url(path)
        all_headers = {**self._defaults, **{name.lower(): value for name, value in (headers or {}).items()}}
        body = None
        if json is not None:
            all_headers["content-type"] = FHIR_JSON
            body = msgspec.json.encode(json)
        repeatable = method != "POST" or "if-none-exist" in all_headers
        retried_401 = reconnected = False
        while True:
            token = await self._tokens.access_token() if authorized else None
            if token is not None:
                all_headers["authorization"] = f"Bearer {token}"
            await self._limiter.acquire()
            request = httpx.Request(method, url, params=params, headers=all_headers, content=body,
                                    cookies=self._http.cookies or None, extensions=dict(self._timeout))
            try:
                response = await self._send(request, action)
            except httpx.RemoteProtocolError as error:
                # a kept-alive connection the server closed as we reused it: no answer came, so a request
                # that is safe to repeat goes once more, on a new connection
                if not repeatable or reconnected:
                    raise transport_error(error, action) from error
                reconnected = True
                continue
            if response.status_code == 401 and token is not None and not retried_401:
                self._tokens.invalidate(token)
                retried_401 = True
                continue
            return response

    async def _send(self, request: httpx.Request, action: str) -> httpx.Response:
        with self._tracer.span("emr.http") as span:
            span.set("method", request.method)
            span.set("action", action)  # a fixed phrase such as "create Observation": no ids or values
            try:
                response = await self._http.send_direct(request)
            except httpx.RemoteProtocolError as error:
                span.set("error", type(error).__name__)
                raise
            except TRANSPORT_ERRORS as error:
                span.set("error", type(error).__name__)
                raise transport_error(error, action) from error
            span.set("http_status", response.status_code)
            return response
