"""A user's SMART standalone launch (authorization code + PKCE S256), start to callback.

Pending launches (state → verifier) live only in this process's memory: never persisted, never logged,
gone after `ttl_seconds` or a restart. A callback must reach the process that started the launch (one API
process, or sticky sessions in front of several). The tokens a launch yields are not kept at all: nothing
here acts with a user's own EMR access yet, and a token nobody uses is only something to leak.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from adapters.fhir.errors import SmartAuthError
from adapters.fhir.pkce import authorization_request, exchange_code
from adapters.fhir.smart import discover
from domain.ports.user_launch import LaunchRefused, LinkedAccount


@dataclass(frozen=True)
class LaunchClient:
    """The registered app: who we are to the EMR's authorization server and where it sends users back."""

    fhir_base_url: str
    client_id: str
    client_secret: str
    redirect_uri: str
    authorize_url: str | None = None  # None: SMART discovery
    token_url: str | None = None


class StandaloneLaunch:
    """UserLaunch over SMART: starts launches for our users and completes them at the callback, one use per
    state; the authorization server's refusals become LaunchRefused."""

    def __init__(self, http: httpx.AsyncClient, client: LaunchClient, *, ttl_seconds: float = 600,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._http, self._client, self._ttl, self._clock = http, client, ttl_seconds, clock
        self._pending: dict[str, tuple[str, str, float]] = {}  # state -> (user id, verifier, deadline)

    async def start(self, user_id: str) -> str:
        """The EMR authorize URL to send the user to (fresh state and code challenge)."""
        try:
            authorize_url, _ = await self._endpoints()
        except SmartAuthError as error:
            raise _refused(error) from None
        request = authorization_request(authorize_url, client_id=self._client.client_id,
                                        redirect_uri=self._client.redirect_uri, aud=self._client.fhir_base_url)
        self._forget_expired()
        self._pending[request.state] = (user_id, request.code_verifier, self._clock() + self._ttl)
        return request.url

    async def complete(self, *, code: str | None, state: str | None, error: str | None = None) -> LinkedAccount:
        """Check the state (known, unused, fresh), then exchange the code for the user's tokens."""
        self._forget_expired()
        pending = self._pending.pop(state or "", None)
        if pending is None:
            raise LaunchRefused("invalid_state", "this launch is unknown, used or expired",
                                "start the launch again; never reuse an authorization link")
        if error or not code:
            raise _refused(SmartAuthError(error or "invalid_request", "the EMR did not grant the launch"))
        user_id, verifier, _ = pending
        try:
            _, token_url = await self._endpoints()
            token = await exchange_code(
                self._http, token_url, code=code, returned_state=state or "", expected_state=state or "",
                code_verifier=verifier, client_id=self._client.client_id, client_secret=self._client.client_secret,
                redirect_uri=self._client.redirect_uri)
        except SmartAuthError as refused:
            raise _refused(refused) from None
        return LinkedAccount(user_id, token.scope, token.patient, token.expires_in)

    async def _endpoints(self) -> tuple[str, str]:
        authorize, token = self._client.authorize_url, self._client.token_url
        if authorize is None or token is None:
            found = await discover(self._http, self._client.fhir_base_url)
            authorize, token = authorize or found.authorization_endpoint, token or found.token_endpoint
        if authorize is None:
            raise SmartAuthError("discovery_failed", "the EMR advertises no authorization endpoint",
                                 "this EMR does not offer user launches")
        return authorize, token

    def _forget_expired(self) -> None:
        now = self._clock()
        self._pending = {s: p for s, p in self._pending.items() if p[2] > now}


def _refused(error: SmartAuthError) -> LaunchRefused:
    return LaunchRefused(error.error, error.description, error.hint)
