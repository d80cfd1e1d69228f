"""KeepFailedDelivery: a delivery that could not be taken in is kept raw, for a person to look at."""

from __future__ import annotations

from dataclasses import dataclass

from application.auditing import Auditor
from application.context import Actor
from domain.audit import AuditOutcome
from domain.deliveries import FailedDelivery, IncomingDelivery
from domain.ports import Clock, IdGenerator, UnitOfWork
from domain.storage_limits import storable_webhook_id


@dataclass(frozen=True)
class KeepFailedDeliveryCommand:
    delivery: IncomingDelivery
    actor: Actor
    error_type: str


class KeepFailedDelivery:
    """Store the raw body apart from the deliveries (a re-delivery is taken in afresh) and audit it."""

    def __init__(self, uow: UnitOfWork, clock: Clock, ids: IdGenerator, auditor: Auditor) -> None:
        self._uow = uow
        self._clock = clock
        self._ids = ids
        self._auditor = auditor

    async def __call__(self, command: KeepFailedDeliveryCommand) -> FailedDelivery:
        incoming = command.delivery
        failed = FailedDelivery(
            id=self._ids.new_id(), source=incoming.source, webhook_id=storable_webhook_id(incoming.webhook_id),
            received_at=self._clock.now(), body=incoming.body, error_type=command.error_type[:64],
        )
        async with self._uow as uow:
            await uow.deliveries.add_failed(failed)
            await uow.commit()
        await self._auditor.record(command.actor, "webhook.delivery", "FailedDelivery", [failed.id],
                                   AuditOutcome.FAILURE, status="failed", error_type=failed.error_type)
        return failed
