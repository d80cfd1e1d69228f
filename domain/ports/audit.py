"""The audit-log port: an append-only, hash-chained record of integration calls and PHI access."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from domain.audit import AuditEntry, AuditQuery, ChainVerification, StoredAuditEntry


class AuditEntries(Protocol):
    """A unit of work's audit entries: written in its transaction, kept only if it commits."""

    async def append_many(self, entries: Sequence[AuditEntry]) -> None: ...


class AuditLog(Protocol):
    async def append(self, entry: AuditEntry) -> None:
        """Record an entry durably; never updates or deletes. Writers never wait on each other."""
        ...

    async def append_many(self, entries: Sequence[AuditEntry]) -> None:
        """`append` for several entries at once (one write for a page of deliveries)."""
        ...

    async def seal(self) -> int:
        """Chain the entries appended since the last seal, in order; returns how many were sealed."""
        ...

    async def verify(self) -> ChainVerification: ...

    async def search(self, query: AuditQuery) -> tuple[Sequence[StoredAuditEntry], int]: ...
