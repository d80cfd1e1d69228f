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
