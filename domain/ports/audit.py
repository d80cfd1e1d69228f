"""The audit-log port: append-only record of integration calls and PHI access."""

from __future__ import annotations

from typing import Protocol

from domain.audit import AuditEntry


class AuditLog(Protocol):
    async def append(self, entry: AuditEntry) -> None:
        """Record an entry durably; never updates or deletes."""
        ...
