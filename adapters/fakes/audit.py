"""FakeAuditLog: keeps entries in a list, in order."""

from __future__ import annotations

from domain.audit import AuditEntry


class FakeAuditLog:
    def __init__(self) -> None:
        self.entries: list[AuditEntry] = []

    async def append(self, entry: AuditEntry) -> None:
        self.entries.append(entry)

    def actions(self) -> list[str]:
        return [e.action for e in self.entries]
