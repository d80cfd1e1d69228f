"""A small helper so use cases write uniform audit entries."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from application.context import Actor
from application.tracing import NULL_TRACER
from domain.audit import AuditEntry, AuditOutcome
from domain.ports import AuditEntries, AuditLog, Clock, Tracer


@dataclass(frozen=True)
class AuditRecord:
    """What one audit entry says, before the clock stamps it."""

    actor: Actor
    action: str
    resource_type: str
    resource_ids: Sequence[str] = ()
    outcome: AuditOutcome = AuditOutcome.SUCCESS
    details: Mapping[str, str] = field(default_factory=dict)


class Auditor:
    """Writes audit entries stamped by the clock; ids only, never PHI values."""

    def __init__(self, log: AuditLog, clock: Clock, tracer: Tracer = NULL_TRACER) -> None:
        self._log = log
        self._clock = clock
        self._tracer = tracer

    async def record(
        self,
        actor: Actor,
        action: str,
        resource_type: str,
        resource_ids: Iterable[str] = (),
        outcome: AuditOutcome = AuditOutcome.SUCCESS,
        **details: str,
    ) -> None:
        with self._tracer.span("audit.append") as span:
            span.set("action", action)
            record = AuditRecord(actor, action, resource_type, tuple(resource_ids), outcome, details)
            await self._log.append(_entry(record, self._clock.now()))

    async def record_many(self, records: Sequence[AuditRecord]) -> None:
        """Several entries in one write (a page of deliveries: one entry each), stamped with one time."""
        with self._tracer.span("audit.append") as span:
            span.set("entries", len(records))
            now = self._clock.now()
            await self._log.append_many([_entry(record, now) for record in records])

    async def record_many_in(self, entries: AuditEntries, records: Sequence[AuditRecord]) -> None:
        """`record_many` into a unit of work's `audit`: kept only if its transaction commits."""
        with self._tracer.span("audit.append") as span:
            span.set("entries", len(records))
            now = self._clock.now()
            await entries.append_many([_entry(record, now) for record in records])


def _entry(record: AuditRecord, occurred_at: datetime) -> AuditEntry:
    return AuditEntry(
        occurred_at=occurred_at,
        actor=record.actor.id,
        action=record.action,
        resource_type=record.resource_type,
        outcome=record.outcome,
        resource_ids=tuple(record.resource_ids),
        request_id=record.actor.request_id,
        details=_with_client_id(record.details, record.actor),
    )


def _with_client_id(details: Mapping[str, str], actor: Actor) -> Mapping[str, str]:
    """The caller's correlation id is a detail of the entry; `request_id` stays ours."""
    if actor.client_request_id is None:
        return details
    return {**details, "client_request_id": actor.client_request_id}
