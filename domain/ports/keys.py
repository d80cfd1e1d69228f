"""The key-store port: signing keys in rotation stages (published as JWKS) and named secrets."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

ROTATION_POLICY = timedelta(days=90)


@dataclass(frozen=True)
class SigningKey:
    """A private signing key as a JWK (RSA members are strings), with its key id."""

    kid: str
    jwk: Mapping[str, str]


@dataclass(frozen=True)
class KeyVersion:
    """One published key: its stage (current, pending, previous) and when it was created."""

    kid: str
    stage: str
    created_at: datetime

    def age(self, now: datetime) -> timedelta:
        return now - self.created_at


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

    async def stored_secret(self, name: str) -> str | None:
        """A named secret put there by an operator (a credential issued elsewhere); None if absent."""
        ...

    async def put_secret(self, name: str, value: str) -> None:
        """Store a named secret an operator gives (an EMR connection's client secret), replacing any before;
        every process reads the new value within the store's refresh interval."""
        ...

    async def versions(self) -> list[KeyVersion]: ...

    async def rotate(self, now: datetime) -> KeyVersion:
        """Create and publish a pending key (refused while one is pending)."""
        ...

    async def promote(self, now: datetime, published_for_at_least: timedelta) -> KeyVersion:
        """Make the pending key current (the old current becomes previous), once verifiers had time
        to fetch it: refused before `published_for_at_least` has passed since it was created."""
        ...
