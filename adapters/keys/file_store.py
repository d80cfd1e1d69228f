"""FileKeyStore: keys and secrets in one JSON file (mode 0600), created on first run."""

from __future__ import annotations

import json
import os
import secrets
import stat
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from adapters.keys.jwk import new_rsa_signing_key, public_jwk
from domain.ports.keys import SigningKey


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
        key = new_rsa_signing_key(f"vantrexia-{datetime.now(UTC):%Y%m%d}-{secrets.token_hex(3)}")
        body = {
            "keys": [{"kid": key.kid, "stage": "current", "jwk": dict(key.jwk),
                      "created_at": datetime.now(UTC).isoformat()}],
            "secrets": {},
        }
        self._write(body)

    def _write(self, body: dict[str, Any]) -> None:
        tmp = self._path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            json.dump(body, handle, indent=2)
        os.chmod(tmp, 0o600)
        os.replace(tmp, self._path)
        self._data = body

    async def signing_key(self) -> SigningKey:
        entry = next(k for k in self.load()["keys"] if k["stage"] == "current")
        return SigningKey(kid=entry["kid"], jwk=entry["jwk"])

    async def public_jwks(self) -> list[Mapping[str, str]]:
        return [public_jwk(SigningKey(k["kid"], k["jwk"])) for k in self.load()["keys"]]

    async def secret(self, name: str) -> str:
        stored: dict[str, str] = self.load()["secrets"]
        if name not in stored:
            # another process (CLI, worker) may have created it since we read the file
            self._data = None
            data = self.load()
            stored = data["secrets"]
            if name not in stored:
                stored[name] = secrets.token_urlsafe(32)
                self._write(data)
        return stored[name]
