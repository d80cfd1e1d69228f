"""A small helper so use cases write uniform audit entries."""

from __future__ import annotations

from collections.abc import Iterable

from application.context import Actor
from application.tracing import NULL_TRACER
from domain.audit import AuditEntry, AuditOutcome
from domain.ports import AuditLog, Clock, Tracer


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
            await self._append(actor, action, resource_type, resource_ids, outcome, details)

    async def _append(self, actor: Actor, action: str, resource_type: str, resource_ids: Iterable[str],
                      outcome: AuditOutcome, details: dict[str, str]) -> None:
        await self._log.append(
            AuditEntry(
                occurred_at=self._clock.now(),
                actor=actor.id,
                action=action,
                resource_type=resource_type,
                outcome=outcome,
                resource_ids=tuple(resource_ids),
                request_id=actor.request_id,
                details=_with_client_id(details, actor),
            )
        )


def _with_client_id(details: dict[str, str], actor: Actor) -> dict[str, str]:
    """The caller's correlation id is a detail of the entry; `request_id` stays ours."""
    if actor.client_request_id is None:
        return details
    return {**details, "client_request_id": actor.client_request_id}
