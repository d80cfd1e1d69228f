"""The sandbox's authorization server: token endpoint (client_credentials with a verified assertion,
authorization_code with PKCE) and the authorize endpoint of a standalone launch."""

from __future__ import annotations

import base64
import binascii
import hashlib
import secrets
import time
from typing import Any
from urllib.parse import urlencode

from litestar import Request, Response, get, post
from litestar.handlers import BaseRouteHandler
from litestar.response import Redirect

from entrypoints.sandbox.assertion import JwksProvider, OAuthError, verify_assertion
from entrypoints.sandbox.state import ALLOWED_SCOPES, SandboxState

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
NO_STORE = {"cache-control": "no-store", "pragma": "no-cache"}


def url_of(request: Request[Any, Any, Any], path: str) -> str:
    """An absolute URL on this server as the client addressed it."""
    return str(request.base_url).rstrip("/") + path


def auth_routes(state: SandboxState, jwks: JwksProvider, token_path: str, authorize_path: str,
                fhir_path: str) -> list[BaseRouteHandler]:
    @post(token_path, status_code=200)
    async def token(request: Request[Any, Any, Any]) -> Response[Any]:
        state.token_requests += 1
        form = {k: str(v) for k, v in (await request.form()).items()}
        try:
            if form.get("grant_type") == "client_credentials":
                body = await _client_credentials(form, jwks, state, url_of(request, token_path))
            elif form.get("grant_type") == "authorization_code":
                body = _authorization_code(form, request.headers.get("authorization", ""), state)
            else:
                raise OAuthError("unsupported_grant_type", "use client_credentials or authorization_code")
        except OAuthError as error:
            state.token_errors.append(error.error)
            return Response(error.body(), status_code=error.status, headers=NO_STORE)
        return Response(body, headers=NO_STORE)

    @get(authorize_path, status_code=302)
    async def authorize(request: Request[Any, Any, Any]) -> Response[Any]:
        query = dict(request.query_params)
        redirect_uri = query.get("redirect_uri", "")
        if query.get("client_id") != state.client_id or not redirect_uri.startswith(("http://", "https://")):
            return Response({"error": "invalid_request", "error_description": "unknown client or redirect_uri"},
                            status_code=400)
        answer = {"state": query.get("state", "")}
        if (query.get("response_type") != "code" or query.get("code_challenge_method") != "S256"
                or not query.get("code_challenge") or query.get("aud") != url_of(request, fhir_path)):
            answer["error"] = "invalid_request"
        else:
            code = secrets.token_urlsafe(24)
            state.codes[code] = {"challenge": query["code_challenge"], "redirect_uri": redirect_uri,
                                 "scope": query.get("scope", ""), "expires": time.time() + 60}
            answer["code"] = code
        return Redirect(f"{redirect_uri}{'&' if '?' in redirect_uri else '?'}{urlencode(answer)}")

    return [token, authorize]


async def _client_credentials(form: dict[str, str], jwks: JwksProvider, state: SandboxState,
                              audience: str) -> dict[str, Any]:
    if form.get("client_assertion_type") != ASSERTION_TYPE or not form.get("client_assertion"):
        raise OAuthError("invalid_request", "a jwt-bearer client_assertion is required")
    await verify_assertion(form["client_assertion"], jwks=jwks, state=state, audience=audience)
    scope = form.get("scope", "")
    if not scope or not set(scope.split()) <= ALLOWED_SCOPES:
        raise OAuthError("invalid_scope", "the requested scope is not granted to this client")
    state.granted_scopes.append(scope)
    return {"access_token": state.issue_token(), "token_type": "bearer",
            "expires_in": state.token_lifetime_seconds, "scope": scope}


def _authorization_code(form: dict[str, str], authorization: str, state: SandboxState) -> dict[str, Any]:
    if _basic_credentials(authorization) != (state.client_id, state.client_secret):
        raise OAuthError("invalid_client", "client authentication failed", status=401)
    grant = state.codes.pop(form.get("code", ""), None)  # a code works once
    if grant is None or grant["expires"] < time.time():
        raise OAuthError("invalid_grant", "unknown, used or expired authorization code")
    if form.get("redirect_uri") != grant["redirect_uri"]:
        raise OAuthError("invalid_grant", "redirect_uri does not match the authorization request")
    verifier = form.get("code_verifier", "")
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    if not verifier or not secrets.compare_digest(challenge, grant["challenge"]):
        raise OAuthError("invalid_grant", "code_verifier does not match the code_challenge")
    return {"access_token": state.issue_token(), "token_type": "bearer", "scope": grant["scope"],
            "expires_in": state.token_lifetime_seconds, "patient": next(iter(state.patients), None)}


def _basic_credentials(header: str) -> tuple[str, str] | None:
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        user, _, password = base64.b64decode(encoded, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return user, password
