"""FileKeyStore: keys (with their rotation stage) and secrets in one JSON file, mode 0600."""

from __future__ import annotations

import json
import os
import secrets
import stat
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from adapters.keys.jwk import new_rsa_signing_key, public_jwk
from adapters.keys.rotation import CURRENT, PENDING, PREVIOUS, check_promotable, new_kid
from domain.errors import Conflict
from domain.ports.keys import KeyVersion, SigningKey


class KeyFilePermissionError(RuntimeError):
    """The key file is readable or writable by someone other than its owner."""


class FileKeyStore:
    """For local and demo use; production uses AWS Secrets Manager."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._data: dict[str, Any] | None = None

    def load(self) -> dict[str, Any]:
        if self._data is None:
            if not self._path.exists():
                self._create()
            mode = stat.S_IMODE(self._path.stat().st_mode)
            if mode & 0o077:
                raise KeyFilePermissionError(
                    f"{self._path} has mode {mode:o}; it must be 600 (chmod 600 {self._path})"
                )
            self._data = json.loads(self._path.read_text())
        return self._data

    def _create(self) -> None:
        self._path.parent.mkdir(parents=True, exist_ok=True)
        now = datetime.now(UTC)
        self._write({"keys": [_key_entry(now, CURRENT)], "secrets": {}})

    def _write(self, body: dict[str, Any]) -> None:
        tmp = self._path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            json.dump(body, handle, indent=2)
        os.chmod(tmp, 0o600)
        os.replace(tmp, self._path)
        self._data = body

    def _reload(self) -> dict[str, Any]:
        self._data = None  # another process (CLI, worker) may have changed the file
        return self.load()

    async def signing_key(self) -> SigningKey:
        entry = next(k for k in self.load()["keys"] if k["stage"] == CURRENT)
        return SigningKey(kid=entry["kid"], jwk=entry["jwk"])

    async def public_jwks(self) -> list[Mapping[str, str]]:
        return [public_jwk(SigningKey(k["kid"], k["jwk"])) for k in self.load()["keys"]]

    async def stored_secret(self, name: str) -> str | None:
        value = self._reload()["secrets"].get(name)
        return str(value) if value is not None else None

    async def secret(self, name: str) -> str:
        stored: dict[str, str] = self.load()["secrets"]
        if name not in stored:
            data = self._reload()
            stored = data["secrets"]
            if name not in stored:
                stored[name] = secrets.token_urlsafe(32)
                self._write(data)
        return stored[name]

    async def versions(self) -> list[KeyVersion]:
        return [KeyVersion(k["kid"], k["stage"], datetime.fromisoformat(k["created_at"])) for k in self.load()["keys"]]

    async def rotate(self, now: datetime) -> KeyVersion:
        data = self._reload()
        if any(k["stage"] == PENDING for k in data["keys"]):
            raise Conflict("a pending key already exists: promote it first")
        entry = _key_entry(now, PENDING)
        data["keys"].append(entry)
        self._write(data)
        return KeyVersion(entry["kid"], PENDING, now)

    async def promote(self, now: datetime, published_for_at_least: timedelta) -> KeyVersion:
        data = self._reload()
        pending = next((v for v in await self.versions() if v.stage == PENDING), None)
        promoted = check_promotable(pending, now, published_for_at_least)
        stages = {PENDING: CURRENT, CURRENT: PREVIOUS}
        data["keys"] = [{**k, "stage": stages[k["stage"]]} for k in data["keys"] if k["stage"] != PREVIOUS]
        self._write(data)
        return KeyVersion(promoted.kid, CURRENT, promoted.created_at)


def _key_entry(now: datetime, stage: str) -> dict[str, Any]:
    key = new_rsa_signing_key(new_kid(now))
    return {"kid": key.kid, "stage": stage, "jwk": dict(key.jwk), "created_at": now.isoformat()}
