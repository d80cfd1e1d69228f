"""Argon2PasswordHasher: argon2id via argon2-cffi."""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher as _Argon2
from argon2.exceptions import InvalidHashError, VerificationError


class Argon2PasswordHasher:
    """argon2id with argon2-cffi's RFC 9106 defaults; tests may lower the cost."""

    def __init__(self, time_cost: int | None = None, memory_cost: int | None = None) -> None:
        defaults = _Argon2()
        self._hasher = _Argon2(
            time_cost=time_cost if time_cost is not None else defaults.time_cost,
            memory_cost=memory_cost if memory_cost is not None else defaults.memory_cost,
        )
        self._decoy: str | None = None

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    def decoy_hash(self) -> str:
        if self._decoy is None:  # made on first use, then kept for the process's life
            self._decoy = self._hasher.hash(secrets.token_urlsafe(32))
        return self._decoy
