"""The sandbox's check of a SMART client assertion, as a real authorization server would do it."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

import httpx
from joserfc import jwt
from joserfc.errors import BadSignatureError, JoseError
from joserfc.jwk import RSAKey
from joserfc.jws import extract_compact

from entrypoints.sandbox.state import SandboxState

ALGORITHM = "RS384"
MAX_LIFETIME_SECONDS = 300
JwksProvider = Callable[[], Awaitable[Sequence[Mapping[str, Any]]]]


class OAuthError(Exception):
    """An OAuth error answer: `error` code and a description."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(f"{error}: {description}")
        self.error, self.description, self.status = error, description, status

    def body(self) -> dict[str, str]:
        return {"error": self.error, "error_description": self.description}


def jwks_source(jwks: str | JwksProvider) -> JwksProvider:
    """A provider of public JWKs: the given callable, or a fetch of the JWKS URL on each use."""
    if not isinstance(jwks, str):
        return jwks
    url = jwks

    async def fetch() -> Sequence[Mapping[str, Any]]:
        async with httpx.AsyncClient(timeout=5.0) as client:
            response = await client.get(url)
        if response.status_code != 200:
            raise OAuthError("invalid_client", f"could not fetch the registered JWKS ({response.status_code})")
        keys = response.json().get("keys", [])
        return keys if isinstance(keys, list) else []

    return fetch


async def verify_assertion(
    assertion: str, *, jwks: JwksProvider, state: SandboxState, audience: str,
) -> dict[str, Any]:
    """The assertion's claims if it is valid; OAuthError (invalid_client, key_not_found, invalid_grant) if not."""
    try:
        header = extract_compact(assertion.encode()).headers()
    except (JoseError, ValueError):
        raise OAuthError("invalid_client", "the client assertion is not a compact JWS") from None
    if header.get("alg") != ALGORITHM:
        raise OAuthError("invalid_client", f"the client assertion must be signed with {ALGORITHM}")
    kid = header.get("kid")
    keys = [dict(k) for k in await jwks()]
    key_data = next((k for k in keys if k.get("kid") == kid), None) if kid else None
    if key_data is None:
        raise OAuthError("key_not_found", "no key in the registered JWKS has the assertion's kid")
    try:
        token = jwt.decode(assertion, RSAKey.import_key(key_data), algorithms=[ALGORITHM])
    except (BadSignatureError, JoseError, ValueError):
        raise OAuthError("invalid_client", "the client assertion's signature does not verify") from None
    _check_claims(token.claims, state, audience)
    state.assertion_kids.append(str(kid))
    return token.claims


def _check_claims(claims: dict[str, Any], state: SandboxState, audience: str) -> None:
    if claims.get("iss") != state.client_id or claims.get("sub") != state.client_id:
        raise OAuthError("invalid_client", "iss and sub must both be the registered client id")
    aud = claims.get("aud")
    if aud != audience and not (isinstance(aud, list) and audience in aud):
        raise OAuthError("invalid_grant", "aud must be this token endpoint's URL")
    now = time.time()
    exp = claims.get("exp")
    if not isinstance(exp, int | float) or exp <= now:
        raise OAuthError("invalid_grant", "the client assertion has expired (or has no exp)")
    if exp > now + MAX_LIFETIME_SECONDS + 5:
        raise OAuthError("invalid_grant", "exp is more than five minutes in the future")
    jti = claims.get("jti")
    if not isinstance(jti, str) or not jti:
        raise OAuthError("invalid_grant", "the client assertion has no jti")
    if not state.remember_jti(jti, float(exp)):
        raise OAuthError("invalid_grant", "this jti was already used (replay)")
