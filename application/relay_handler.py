"""What the outbox relay asks of a topic: read what a batch needs, send one item, add the topic's writes.

A new topic is a new handler registered with the relay; claiming, leases, attempts, backoff with
jitter, Retry-After, dead items and the audit trail stay the relay's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from domain.ports import EmrRejected, EmrUnavailable, UnitOfWork
from domain.ports.emr import EmrError
from domain.sync import OutboxItem


@dataclass(frozen=True)
class Outcome:
    """What one send did; the relay turns it into the item's next state and its attempt."""

    delivered: bool = False
    http_status: int | None = None
    external_id: str | None = None
    error: str | None = None
    permanent: bool = False  # dead at once (a refusal), not retried
    retry_after: float | None = None  # the peer's Retry-After, in seconds
    wait: timedelta | None = None  # not tried (not ready yet): again after `wait`, no attempt spent
    effect: object = None  # the handler's own data for its `record` hook

    @classmethod
    def done(cls, http_status: int | None = None, external_id: str | None = None, effect: object = None) -> Outcome:
        return cls(True, http_status, external_id, effect=effect)

    @classmethod
    def failure(cls, error: str, *, http_status: int | None = None, permanent: bool = False,
                retry_after: float | None = None, effect: object = None) -> Outcome:
        return cls(False, http_status, None, error, permanent, retry_after, effect=effect)

    @classmethod
    def not_yet(cls, wait: timedelta, error: str | None = None) -> Outcome:
        """Not tried: again after `wait` (longer each time the same `error` keeps it waiting)."""
        return cls(wait=wait, error=error)


def emr_failure(error: EmrError) -> Outcome:
    """The EMR failed a send: a refusal is dead at once; an outage retries, honouring Retry-After."""
    if isinstance(error, EmrRejected):
        return Outcome.failure(str(error), http_status=error.http_status, permanent=True)
    retry_after = error.retry_after if isinstance(error, EmrUnavailable) else None
    return Outcome.failure(str(error), http_status=error.http_status, retry_after=retry_after)


class TopicHandler(Protocol):
    """One topic's part of the relay.

    A topic whose items go to each practice's own destination (the EMR topics) also offers
    `room() -> Mapping[str, int]`: the practices whose destination can take only so many more sends now
    (none while it asked us to wait). The relay claims no more of their items of this topic meanwhile,
    and notes every send's outcome as that practice's delivery health. Without it (alert pushes, a new
    topic) nothing is held back and nothing noted.
    """

    topic: str
    span_name: str  # trace span per send; its metrics are `{span_name}_latency_ms` / `_failures` with `_`
    audit_action: str
    audit_resource: str

    async def prepare(self, uow: UnitOfWork, items: Sequence[OutboxItem]) -> Mapping[str, object]:
        """Read what the claimed items need, in the claim's transaction (by item id; missing: nothing)."""
        ...

    async def send(self, item: OutboxItem, prepared: object | None) -> Outcome:
        """Do the outside call for one item (no database work)."""
        ...

    async def record(self, uow: UnitOfWork, sent: Sequence[tuple[OutboxItem, Outcome]], now: datetime) -> None:
        """The topic's own writes in the transaction that records the batch (most topics have none)."""
        ...


def room_of(handler: TopicHandler) -> Mapping[str, int] | None:
    """The handler's practices with limited room now; None for a topic without per-practice destinations."""
    room = getattr(handler, "room", None)  # optional: a new topic needs only the four members above
    return room() if room is not None else None


class NoExtraWrites:
    """Mix-in for handlers whose outcomes need no writes beyond the relay's."""

    async def record(self, uow: UnitOfWork, sent: Sequence[tuple[OutboxItem, Outcome]], now: datetime) -> None:
        return None
