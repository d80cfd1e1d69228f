"""The key-store port: signing keys (published as JWKS) and named secrets."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class SigningKey:
    """A private signing key as a JWK (RSA members are strings), with its key id."""

    kid: str
    jwk: Mapping[str, str]


class KeyStore(Protocol):
    async def signing_key(self) -> SigningKey:
        """The current key that signs our EMR client assertions."""
        ...

    async def public_jwks(self) -> list[Mapping[str, str]]:
        """Every public key a verifier may meet (current, pending, previous)."""
        ...

    async def secret(self, name: str) -> str:
        """A named secret, created on first use where the store allows it."""
        ...
