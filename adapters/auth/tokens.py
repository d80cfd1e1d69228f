"""Short-lived bearer tokens for the provider API: HS256 JWTs (joserfc) with their own key."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import OctKey

from domain.patients import DEFAULT_PRACTICE
from domain.ports import Clock
from domain.users import Role, User

ISSUER = "vantrexia"
AUDIENCE = "vantrexia-provider-api"
ALGORITHM = "HS256"


class InvalidToken(Exception):
    """The bearer token is malformed, forged, expired or not for this API."""


@dataclass(frozen=True)
class Principal:
    """Who a verified token speaks for."""

    user_id: str
    role: Role
    token_id: str
    expires_at: datetime
    practice_id: str = DEFAULT_PRACTICE
    session_id: str = ""  # the console session this token continues (its first token's id); "" for API tokens


@dataclass(frozen=True)
class IssuedToken:
    access_token: str
    expires_in: int


class AccessTokenService:
    """Issues and verifies provider API tokens; the key is separate from the EMR signing key."""

    def __init__(self, secret: str, ttl: timedelta, clock: Clock) -> None:
        self._key = OctKey.import_key(secret)
        self._ttl = ttl
        self._clock = clock

    @property
    def ttl(self) -> timedelta:
        return self._ttl

    def issue(self, user: User, session_id: str | None = None) -> IssuedToken:
        """A token for `user`; a console session's re-issued token names the session (`sid`) it continues."""
        now = int(self._clock.now().timestamp())
        expires_in = int(self._ttl.total_seconds())
        claims: dict[str, object] = {
            "iss": ISSUER, "aud": AUDIENCE, "sub": user.id, "role": user.role.value, "prc": user.practice_id,
            "iat": now, "nbf": now, "exp": now + expires_in, "jti": str(uuid.uuid4()),
        }
        if session_id:
            claims["sid"] = session_id
        token = jwt.encode({"alg": ALGORITHM, "typ": "JWT"}, claims, self._key, algorithms=[ALGORITHM])
        return IssuedToken(token, expires_in)

    def verify(self, token: str) -> Principal:
        try:
            decoded = jwt.decode(token, self._key, algorithms=[ALGORITHM])
            registry = jwt.JWTClaimsRegistry(
                now=int(self._clock.now().timestamp()), leeway=5,
                iss={"essential": True, "value": ISSUER}, aud={"essential": True, "value": AUDIENCE},
                sub={"essential": True}, exp={"essential": True}, jti={"essential": True},
                prc={"essential": True},
            )
            registry.validate(decoded.claims)
            claims = decoded.claims
            expires_at = datetime.fromtimestamp(int(claims["exp"]), tz=UTC)
            return Principal(claims["sub"], Role(claims["role"]), claims["jti"], expires_at, str(claims["prc"]),
                             str(claims.get("sid", "")))
        except (JoseError, ValueError, KeyError, TypeError) as error:
            raise InvalidToken(type(error).__name__) from None
