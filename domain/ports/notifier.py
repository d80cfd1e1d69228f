"""The push-notification port. Messages carry opaque ids and codes only: never PHI."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class PushMessage:
    alert_id: str
    alert_type: str
    severity: str
    action_code: str


@dataclass(frozen=True)
class PushResult:
    token_id: str
    delivered: bool
    token_invalid: bool = False
    retryable: bool = False
    error: str | None = None


class Notifier(Protocol):
    async def send(self, message: PushMessage, tokens: dict[str, str]) -> list[PushResult]:
        """Send to each registered token (token id → device token); one result per token."""
        ...
