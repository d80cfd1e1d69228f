"""SMART standalone launch: OAuth 2.0 authorization code with PKCE (S256), for a user linking an EMR account.

The caller keeps `state` and `code_verifier` server-side between the redirect and the callback.
Tokens are returned, never logged (their repr hides them).
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import httpx

from adapters.fhir.errors import TRANSPORT_ERRORS, SmartAuthError, retry_after, transport_error
from domain.ports.emr import EmrUnavailable

USER_SCOPES = "openid fhirUser launch/patient patient/Patient.read patient/Observation.read"


def code_challenge(code_verifier: str) -> str:
    """BASE64URL(SHA-256(verifier)) without padding (RFC 7636 S256)."""
    digest = hashlib.sha256(code_verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


@dataclass(frozen=True)
class AuthorizationRequest:
    """Where to send the user, and what to keep until the callback."""

    url: str
    state: str
    code_verifier: str = field(repr=False)


def authorization_request(
    authorize_url: str, *, client_id: str, redirect_uri: str, aud: str, scope: str = USER_SCOPES,
) -> AuthorizationRequest:
    """The authorize redirect URL with a fresh state and PKCE verifier (86 characters)."""
    state, verifier = secrets.token_urlsafe(32), secrets.token_urlsafe(64)
    query = urlencode({
        "response_type": "code", "client_id": client_id, "redirect_uri": redirect_uri, "scope": scope,
        "state": state, "aud": aud, "code_challenge": code_challenge(verifier), "code_challenge_method": "S256",
    })
    separator = "&" if "?" in authorize_url else "?"
    return AuthorizationRequest(f"{authorize_url}{separator}{query}", state, verifier)


@dataclass(frozen=True)
class UserToken:
    """The token response of a user's launch (secrets hidden from repr)."""

    access_token: str = field(repr=False)
    token_type: str
    expires_in: int | None
    scope: str
    refresh_token: str | None = field(default=None, repr=False)
    patient: str | None = None
    id_token: str | None = field(default=None, repr=False)


async def exchange_code(
    http: httpx.AsyncClient, token_url: str, *, code: str, returned_state: str, expected_state: str,
    code_verifier: str, client_id: str, client_secret: str, redirect_uri: str,
) -> UserToken:
    """Check `state`, then trade the code (with the verifier and our client secret) for tokens."""
    if not returned_state or not secrets.compare_digest(returned_state.encode(), expected_state.encode()):
        raise SmartAuthError("invalid_state", "the callback's state does not match the one we sent",
                             "start the launch again; never reuse an authorization link")
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri,
            "code_verifier": code_verifier}
    try:
        response = await http.post(token_url, data=form, auth=httpx.BasicAuth(client_id, client_secret),
                                   headers={"accept": "application/json"})
    except TRANSPORT_ERRORS as error:
        raise transport_error(error, "authorization code exchange") from error
    return _user_token(response)


def _user_token(response: httpx.Response) -> UserToken:
    status = response.status_code
    if status == 429 or status >= 500:
        raise EmrUnavailable(f"authorization code exchange failed ({status})", http_status=status,
                             retry_after=retry_after(response))
    try:
        body: Any = response.json()
    except ValueError:
        body = {}
    body = body if isinstance(body, dict) else {}
    if status != 200 or not isinstance(body.get("access_token"), str):
        error = body.get("error") if isinstance(body.get("error"), str) else f"http_{status}"
        raise SmartAuthError(str(error), str(body.get("error_description") or ""), http_status=status)
    expires_in = body.get("expires_in")
    return UserToken(
        access_token=body["access_token"], token_type=str(body.get("token_type", "bearer")),
        expires_in=int(expires_in) if isinstance(expires_in, int | float) else None,
        scope=str(body.get("scope", "")), refresh_token=body.get("refresh_token"),
        patient=body.get("patient"), id_token=body.get("id_token"),
    )
