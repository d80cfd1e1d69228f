"""FileKeyStore: keys (with their rotation stage) and secrets in one JSON file, mode 0600."""

from __future__ import annotations

import fcntl
import json
import os
import secrets
import stat
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from adapters.keys.jwk import new_rsa_signing_key, public_jwk
from adapters.keys.rotation import CURRENT, PENDING, PREVIOUS, REFRESH_SECONDS, check_promotable, new_kid
from domain.errors import Conflict
from domain.ports.keys import KeyVersion, SigningKey

Signature = tuple[int, int, int, int]  # inode, mtime (ns), size, mode: what tells us the file changed


class KeyFilePermissionError(RuntimeError):
    """The key file is readable or writable by someone other than its owner."""


class FileKeyStore:
    """For local and demo use; production uses AWS Secrets Manager. Another process (`vantrexia keys
    rotate`) may change the file: a running store looks at it (one `stat`) at most every
    `refresh_seconds` and reads it again when it changed."""

    def __init__(
        self, path: Path, refresh_seconds: float = REFRESH_SECONDS, monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._path = path
        self._refresh, self._monotonic = refresh_seconds, monotonic
        self._data: dict[str, Any] | None = None
        self._seen: Signature | None = None
        self._looked_at = 0.0
        self._mutex = threading.RLock()  # the file lock below, taken once per thread however nested
        self._lock_fd: int | None = None

    def load(self) -> dict[str, Any]:
        """The file's content, as of at most `refresh_seconds` ago."""
        if self._data is not None and self._monotonic() - self._looked_at < self._refresh:
            return self._data
        return self._look(force=False)

    def _look(self, force: bool) -> dict[str, Any]:
        looked_at = self._monotonic()
        if not self._path.exists():
            with self._locked():
                if not self._path.exists():  # another process may have created it meanwhile
                    self._create()
        if force or self._data is None or _signature(os.stat(self._path)) != self._seen:
            with self._path.open() as handle:
                info = os.fstat(handle.fileno())
                mode = stat.S_IMODE(info.st_mode)
                if mode & 0o077:
                    raise KeyFilePermissionError(
                        f"{self._path} has mode {mode:o}; it must be 600 (chmod 600 {self._path})")
                self._data, self._seen = json.load(handle), _signature(info)
        self._looked_at = looked_at
        return self._data

    @contextmanager
    def _locked(self) -> Iterator[None]:
        """One change at a time across processes (API, workers, CLI): read, change and write under an
        exclusive lock on a file beside the key file (the key file itself is replaced by each write)."""
        with self._mutex:
            if self._lock_fd is not None:  # this thread holds it already (creating the file mid-change)
                yield
                return
            self._path.parent.mkdir(parents=True, exist_ok=True)
            self._lock_fd = os.open(self._path.with_name(f"{self._path.name}.lock"), os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(self._lock_fd, fcntl.LOCK_EX)  # blocks the loop briefly: changes are rare and short
                yield
            finally:
                os.close(self._lock_fd)  # releases the lock
                self._lock_fd = None

    def _create(self) -> None:
        now = datetime.now(UTC)
        self._write({"keys": [_key_entry(now, CURRENT)], "secrets": {}})

    def _write(self, body: dict[str, Any]) -> None:
        """Whole file or nothing: a temp file of our own (0600), flushed to disk, then renamed over."""
        fd, tmp = tempfile.mkstemp(dir=self._path.parent, prefix=f".{self._path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w") as handle:
                json.dump(body, handle, indent=2)
                handle.flush()
                os.fsync(handle.fileno())
                os.fchmod(handle.fileno(), 0o600)
                written = _signature(os.fstat(handle.fileno()))
            os.replace(tmp, self._path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        self._data, self._seen, self._looked_at = body, written, self._monotonic()

    def _reload(self) -> dict[str, Any]:
        return self._look(force=True)  # before a change: start from what another process may have written

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
            with self._locked():
                data = self._reload()
                stored = data["secrets"]
                if name not in stored:
                    stored[name] = secrets.token_urlsafe(32)
                    self._write(data)
        return stored[name]

    async def put_secret(self, name: str, value: str) -> None:
        with self._locked():
            data = self._reload()
            data["secrets"][name] = value
            self._write(data)

    async def versions(self) -> list[KeyVersion]:
        return [_version(k) for k in self.load()["keys"]]

    async def rotate(self, now: datetime) -> KeyVersion:
        with self._locked():
            data = self._reload()
            if any(k["stage"] == PENDING for k in data["keys"]):
                raise Conflict("a pending key already exists: promote it first")
            entry = _key_entry(now, PENDING)
            data["keys"].append(entry)
            self._write(data)
        return KeyVersion(entry["kid"], PENDING, now)

    async def promote(self, now: datetime, published_for_at_least: timedelta) -> KeyVersion:
        with self._locked():
            data = self._reload()
            pending = next((_version(k) for k in data["keys"] if k["stage"] == PENDING), None)
            promoted = check_promotable(pending, now, published_for_at_least)
            stages = {PENDING: CURRENT, CURRENT: PREVIOUS}
            data["keys"] = [{**k, "stage": stages[k["stage"]]} for k in data["keys"] if k["stage"] != PREVIOUS]
            self._write(data)
        return KeyVersion(promoted.kid, CURRENT, promoted.created_at)


def _version(entry: Mapping[str, Any]) -> KeyVersion:
    return KeyVersion(entry["kid"], entry["stage"], datetime.fromisoformat(entry["created_at"]))


def _signature(info: os.stat_result) -> Signature:
    return info.st_ino, info.st_mtime_ns, info.st_size, info.st_mode


def _key_entry(now: datetime, stage: str) -> dict[str, Any]:
    key = new_rsa_signing_key(new_kid(now))
    return {"kid": key.kid, "stage": stage, "jwk": dict(key.jwk), "created_at": now.isoformat()}
