"""FakeNotifier: records every push instead of sending it."""

from __future__ import annotations

from dataclasses import dataclass

from domain.ports.notifier import PushMessage, PushResult


@dataclass(frozen=True)
class SentPush:
    message: PushMessage
    token_id: str
    token: str


class FakeNotifier:
    def __init__(self) -> None:
        self.sent: list[SentPush] = []
        self.invalid_tokens: set[str] = set()

    async def send(self, message: PushMessage, tokens: dict[str, str]) -> list[PushResult]:
        results = []
        for token_id, token in tokens.items():
            if token in self.invalid_tokens:
                results.append(PushResult(token_id, delivered=False, token_invalid=True, error="UNREGISTERED"))
                continue
            self.sent.append(SentPush(message, token_id, token))
            results.append(PushResult(token_id, delivered=True))
        return results
