"""FakeKeyStore: keys and secrets in memory, generated on first use, with the same rotation stages."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

from adapters.keys.jwk import new_rsa_signing_key, public_jwk
from adapters.keys.rotation import CURRENT, PENDING, PREVIOUS, check_promotable, new_kid
from domain.errors import Conflict
from domain.ports.keys import KeyVersion, SigningKey


class FakeKeyStore:
    def __init__(self, secrets_: Mapping[str, str] | None = None) -> None:
        self._keys: list[tuple[KeyVersion, SigningKey]] = []
        self.secrets: dict[str, str] = dict(secrets_ or {})

    def _ensure(self) -> None:
        if not self._keys:
            self._add(datetime.now(UTC), CURRENT)

    def _add(self, now: datetime, stage: str) -> KeyVersion:
        key = new_rsa_signing_key(new_kid(now))
        version = KeyVersion(key.kid, stage, now)
        self._keys.append((version, key))
        return version

    async def signing_key(self) -> SigningKey:
        self._ensure()
        return next(key for version, key in self._keys if version.stage == CURRENT)

    async def public_jwks(self) -> list[Mapping[str, str]]:
        self._ensure()
        return [public_jwk(key) for _, key in self._keys]

    async def secret(self, name: str) -> str:
        if name not in self.secrets:
            self.secrets[name] = secrets.token_urlsafe(32)
        return self.secrets[name]

    async def stored_secret(self, name: str) -> str | None:
        return self.secrets.get(name)

    async def put_secret(self, name: str, value: str) -> None:
        self.secrets[name] = value

    async def versions(self) -> list[KeyVersion]:
        self._ensure()
        return [version for version, _ in self._keys]

    async def rotate(self, now: datetime) -> KeyVersion:
        if any(v.stage == PENDING for v in await self.versions()):
            raise Conflict("a pending key already exists: promote it first")
        return self._add(now, PENDING)

    async def promote(self, now: datetime, published_for_at_least: timedelta) -> KeyVersion:
        pending = next((v for v in await self.versions() if v.stage == PENDING), None)
        promoted = check_promotable(pending, now, published_for_at_least)
        stages = {PENDING: CURRENT, CURRENT: PREVIOUS}
        self._keys = [(KeyVersion(v.kid, stages[v.stage], v.created_at), k)
                      for v, k in self._keys if v.stage != PREVIOUS]
        return KeyVersion(promoted.kid, CURRENT, promoted.created_at)
