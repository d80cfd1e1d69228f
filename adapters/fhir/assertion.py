"""The SMART Backend Services client assertion: an RS384-signed JWT (RFC 7523 private_key_jwt)."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable

from joserfc import jwt

from adapters.keys.jwk import SIGNING_ALG, import_rsa
from domain.ports.keys import KeyStore

MAX_LIFETIME_SECONDS = 300  # SMART (and eCW) accept assertions valid for five minutes at most


class ClientAssertionSigner:
    """Signs one-time assertions with the key store's current key (so rotation needs no restart)."""

    def __init__(
        self, key_store: KeyStore, client_id: str, *, lifetime_seconds: int = MAX_LIFETIME_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not client_id:
            raise ValueError("a client id is required to sign client assertions")
        self._keys = key_store
        self._client_id = client_id
        self._lifetime = max(1, min(lifetime_seconds, MAX_LIFETIME_SECONDS))
        self._clock = clock

    @property
    def client_id(self) -> str:
        return self._client_id

    async def sign(self, audience: str) -> str:
        """A compact JWT: header alg/kid/typ; claims iss=sub=client id, aud, iat, exp, unique jti."""
        signing_key = await self._keys.signing_key()
        now = int(self._clock())
        header = {"alg": SIGNING_ALG, "kid": signing_key.kid, "typ": "JWT"}
        claims = {
            "iss": self._client_id, "sub": self._client_id, "aud": audience,
            "iat": now, "exp": now + self._lifetime, "jti": secrets.token_urlsafe(24),
        }
        # joserfc lists RS384 as "not recommended": it must be allowed explicitly
        return jwt.encode(header, claims, import_rsa(signing_key), algorithms=[SIGNING_ALG])
