"""A user's SMART standalone launch: link their own EMR account (authorization code + PKCE)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from domain.errors import DomainError


@dataclass(frozen=True)
class LinkedAccount:
    """What a completed launch granted (the user's tokens are never part of it)."""

    user_id: str
    scope: str
    patient: str | None
    expires_in: int | None


class LaunchRefused(DomainError):
    """The EMR's authorization server (or the launch's state check) refused: OAuth error code and a hint."""

    def __init__(self, error: str, description: str = "", hint: str = "") -> None:
        super().__init__(description or error)
        self.error = error
        self.description = description
        self.hint = hint


class UserLaunch(Protocol):
    async def start(self, user_id: str, practice_id: str) -> str:
        """The authorize URL of the practice's EMR to send the user to (NoEmrConnection when it has none)."""
        ...

    async def complete(self, *, code: str | None, state: str | None, error: str | None = None) -> LinkedAccount:
        """Check the launch's state and exchange the code; LaunchRefused when that fails."""
        ...
