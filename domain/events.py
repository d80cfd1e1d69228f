"""Past-tense facts the use cases report to their callers."""

from __future__ import annotations

from dataclasses import dataclass

from domain.deliveries import DeliveryStatus


@dataclass(frozen=True)
class DeliveryTakenIn:
    """A verified delivery was taken in; `status` says what became of it (and of its reading, if any)."""

    delivery_id: str
    status: DeliveryStatus
    reading_id: str | None = None
    reason: str | None = None
    device_id: str | None = None  # the device a status report updated


@dataclass(frozen=True)
class OutboxItemSent:
    """An outbox item (a sync item, or an alert's phone notification) after a relay attempt or deferral."""

    item_id: str
    status: str
    http_status: int | None
    topic: str = ""


@dataclass(frozen=True)
class ReadingWithdrawn:
    """A reading was marked entered-in-error; `withdrawals` are the EMR updates queued for it."""

    reading_id: str
    withdrawals: tuple[str, ...]
    already: bool = False
