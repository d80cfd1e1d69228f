"""The audit hash chain: each sealed entry commits to the one before it (SHA-256 over canonical JSON)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import UTC

from domain.audit import AuditEntry, ChainVerification

GENESIS = "0" * 64


def canonical(seq: int, entry: AuditEntry) -> bytes:
    """A stable byte form of an entry: sorted keys, UTC ISO timestamps, no whitespace."""
    body = {
        "seq": seq, "occurred_at": entry.occurred_at.astimezone(UTC).isoformat(), "actor": entry.actor,
        "action": entry.action,
        "resource_type": entry.resource_type, "outcome": entry.outcome.value,
        "resource_ids": list(entry.resource_ids), "request_id": entry.request_id, "details": dict(entry.details),
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":")).encode()


def link(previous_hash: str, seq: int, entry: AuditEntry) -> str:
    return hashlib.sha256(previous_hash.encode() + canonical(seq, entry)).hexdigest()


Row = tuple[int, AuditEntry | None, str | None, str | None]


def verify_chain(rows: Iterable[Row]) -> ChainVerification:
    """Rows in seq order as (seq, entry or None if gone, previous hash recorded, hash recorded)."""
    previous, checked, unsealed = GENESIS, 0, 0
    for seq, entry, recorded_previous, recorded in rows:
        if entry is None:
            return ChainVerification(checked, unsealed, seq, "a sealed entry was deleted")
        if recorded is None:
            unsealed += 1
            continue
        if unsealed:
            return ChainVerification(checked, unsealed, seq, "an unsealed entry lies inside the sealed chain")
        if recorded_previous != previous:
            return ChainVerification(checked, unsealed, seq, "link does not follow the previous entry")
        if link(previous, seq, entry) != recorded:
            return ChainVerification(checked, unsealed, seq, "entry was altered after it was sealed")
        previous, checked = recorded, checked + 1
    return ChainVerification(checked, unsealed)
