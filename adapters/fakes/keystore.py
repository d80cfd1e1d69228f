"""FakeKeyStore: keys and secrets held in memory, generated on first use."""

from __future__ import annotations

import secrets
from collections.abc import Mapping

from adapters.keys.jwk import new_rsa_signing_key, public_jwk
from domain.ports.keys import SigningKey


class FakeKeyStore:
    def __init__(self, secrets_: Mapping[str, str] | None = None) -> None:
        self._key: SigningKey | None = None
        self.secrets: dict[str, str] = dict(secrets_ or {})

    async def signing_key(self) -> SigningKey:
        if self._key is None:
            self._key = new_rsa_signing_key("fake-key-1")
        return self._key

    async def public_jwks(self) -> list[Mapping[str, str]]:
        return [public_jwk(await self.signing_key())]

    async def secret(self, name: str) -> str:
        if name not in self.secrets:
            self.secrets[name] = secrets.token_urlsafe(32)
        return self.secrets[name]
