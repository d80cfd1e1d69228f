"""Audit entries: who did what to which resource, with no PHI values."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class AuditOutcome(StrEnum):
    SUCCESS = "success"
    FAILURE = "failure"
    DENIED = "denied"


@dataclass(frozen=True)
class AuditEntry:
    """One audited action. `resource_ids` and `details` hold internal ids and codes only."""

    occurred_at: datetime
    actor: str
    action: str
    resource_type: str
    outcome: AuditOutcome
    resource_ids: tuple[str, ...] = ()
    request_id: str | None = None
    details: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class StoredAuditEntry:
    """An entry as kept: its sequence number, the entry, and its link in the hash chain once sealed."""

    seq: int
    entry: AuditEntry
    entry_hash: str | None = None


@dataclass(frozen=True)
class ChainVerification:
    """The result of checking the hash chain: how many sealed entries held, and the first broken link."""

    checked: int
    unsealed: int
    first_broken: int | None = None
    reason: str | None = None

    @property
    def intact(self) -> bool:
        return self.first_broken is None


@dataclass(frozen=True)
class AuditQuery:
    actor: str | None = None
    action: str | None = None
    resource_type: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    offset: int = 0
    limit: int = 100
