"""The intake for callers whose pages may meet another transaction's (the batch sync's groups in flight,
webhook pages beside another API process's): each page in a request scope of its own — its own unit of
work, connection and transaction — and taken in again, from the start, when the database aborted its
transaction to break a deadlock with another page's."""

from __future__ import annotations

from dataclasses import dataclass

import structlog
from dishka import AsyncContainer, Provider, Scope, provide

from adapters.sql.engine import is_transaction_conflict
from application.take_in_deliveries import PageIntake, TakeInDeliveries, TakeInDeliveriesCommand
from domain.events import DeliveryTakenIn

_log = structlog.get_logger("vantrexia.intake")
ATTEMPTS = 3


@dataclass(frozen=True)
class ScopedIntake:
    """TakeInDeliveries in a fresh request scope per call, so that calls may overlap."""

    container: AsyncContainer
    attempts: int = ATTEMPTS

    async def __call__(self, command: TakeInDeliveriesCommand) -> list[DeliveryTakenIn]:
        attempt = 1
        while True:
            try:
                async with self.container() as scope:
                    take_in = await scope.get(TakeInDeliveries)
                    return await take_in(command)
            except Exception as error:
                if attempt >= self.attempts or not is_transaction_conflict(error):
                    raise
                _log.warning("intake_page_retried", error_type=type(error).__name__, attempt=attempt,
                             deliveries=len(command.arrivals))
            attempt += 1


class IntakeProvider(Provider):
    """The intake of pages side by side, on the app's container (its request scopes are the pages')."""

    scope = Scope.APP

    @provide
    def page_intake(self, container: AsyncContainer) -> PageIntake:
        return ScopedIntake(container)
