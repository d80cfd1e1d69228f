"""Password hashing port (argon2id in production)."""

from __future__ import annotations

from typing import Protocol


class PasswordHasher(Protocol):
    def hash(self, password: str) -> str: ...

    def verify(self, password_hash: str, password: str) -> bool: ...

    def decoy_hash(self) -> str:
        """A hash of a random secret with this hasher's parameters, made once: verifying against it
        costs what verifying a real user's password costs (no user is found faster)."""
        ...
