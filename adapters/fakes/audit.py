"""FakeAuditLog: entries in a list, sealed into the same hash chain the SQL adapter keeps."""

from __future__ import annotations

from collections.abc import Sequence

from domain.audit import AuditEntry, AuditQuery, ChainVerification, StoredAuditEntry
from domain.audit_chain import GENESIS, link, verify_chain


class PendingAuditEntries:
    """A fake unit of work's audit entries: reach its FakeAuditLog only when it commits."""

    def __init__(self, log: FakeAuditLog) -> None:
        self._log = log
        self._pending: list[AuditEntry] = []

    async def append_many(self, entries: Sequence[AuditEntry]) -> None:
        self._pending.extend(entries)

    def publish(self) -> None:
        self._log.entries.extend(self._pending)
        self._pending = []


class FakeAuditLog:
    def __init__(self) -> None:
        self.entries: list[AuditEntry] = []
        self.seals: dict[int, tuple[str, str]] = {}  # seq -> (previous hash, hash)

    async def append(self, entry: AuditEntry) -> None:
        self.entries.append(entry)

    async def append_many(self, entries: Sequence[AuditEntry]) -> None:
        self.entries.extend(entries)

    def actions(self) -> list[str]:
        return [e.action for e in self.entries]

    async def seal(self) -> int:
        previous = self.seals[max(self.seals)][1] if self.seals else GENESIS
        sealed = 0
        for seq, entry in enumerate(self.entries, start=1):
            if seq in self.seals:
                continue
            digest = link(previous, seq, entry)
            self.seals[seq] = (previous, digest)
            previous, sealed = digest, sealed + 1
        return sealed

    async def verify(self) -> ChainVerification:
        rows = [(seq, entry, *self.seals.get(seq, (None, None))) for seq, entry in enumerate(self.entries, start=1)]
        return verify_chain(rows)

    async def search(self, query: AuditQuery) -> tuple[Sequence[StoredAuditEntry], int]:
        found = [
            StoredAuditEntry(seq, e, self.seals.get(seq, (None, None))[1])
            for seq, e in enumerate(self.entries, start=1)
            if query.actor in (None, e.actor) and query.action in (None, e.action)
            and query.resource_type in (None, e.resource_type)
            and (query.since is None or e.occurred_at >= query.since)
            and (query.until is None or e.occurred_at < query.until)
        ]
        found.reverse()  # newest first
        return found[query.offset : query.offset + query.limit], len(found)
