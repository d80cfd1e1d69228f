"""Group commit for webhooks: concurrent deliveries in one API process are taken in together.

While one page commits, new arrivals queue for the next; there is no timer, so a lone delivery waits
for nothing but its own transaction. Each caller gets its own outcome once its page has committed.
A delivery that makes its page fail does not fail the others: the page is taken in again in halves
until only that delivery fails; its raw body is then kept for diagnosis (not as a delivery, so the
gateway's re-delivery is taken in afresh) and its caller gets `DeliveryFailed`.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from typing import Any

import structlog
from dishka import AsyncContainer

from adapters.sql.engine import is_connection_error
from application.keep_failed_delivery import KeepFailedDelivery, KeepFailedDeliveryCommand
from application.take_in_deliveries import Arrival, PageIntake, TakeInDeliveriesCommand
from domain.events import DeliveryTakenIn

_log = structlog.get_logger("vantrexia.intake")
# each arrival keeps its request's context: a page runs in its first arrival's (its trace, its spans)
Waiting = tuple[Arrival, "asyncio.Future[DeliveryTakenIn]", contextvars.Context]
TakeIn = Callable[[Sequence[Arrival]], Coroutine[Any, Any, list[DeliveryTakenIn]]]
KeepFailed = Callable[[Arrival, str], Awaitable[None]]


class DeliveryFailed(Exception):
    """This delivery could not be taken in (its page was retried without it); its body was kept."""


class GroupCommit:
    """Takes arrivals in pages of at most `max_page`, one page at a time per process.

    `take_in` takes a page in one transaction; `keep_failed` keeps a delivery that failed alone.
    """

    def __init__(self, take_in: TakeIn, keep_failed: KeepFailed, max_page: int) -> None:
        if max_page < 1:
            raise ValueError("a page holds at least one delivery")
        self._take_in = take_in
        self._keep_failed = keep_failed
        self._max_page = max_page
        self._queue: list[Waiting] = []
        self._committer: asyncio.Task[None] | None = None

    async def take_in(self, arrival: Arrival) -> DeliveryTakenIn:
        """The arrival's outcome after its page committed (DeliveryFailed: it alone could not be)."""
        outcome: asyncio.Future[DeliveryTakenIn] = asyncio.get_running_loop().create_future()
        self._queue.append((arrival, outcome, contextvars.copy_context()))
        if self._committer is None:
            self._committer = asyncio.create_task(self._commit_pages(), name="webhook-group-commit")
        # shielded: a caller that goes away does not cancel the page others wait on
        return await asyncio.shield(outcome)

    async def _commit_pages(self) -> None:
        try:
            while self._queue:
                page, self._queue = self._queue[: self._max_page], self._queue[self._max_page :]
                await self._commit(page)
        finally:
            self._committer = None

    async def _commit(self, page: Sequence[Waiting]) -> None:
        try:
            arrivals = [arrival for arrival, _, _ in page]
            outcomes = await asyncio.create_task(self._take_in(arrivals), context=page[0][2])
        except Exception as error:  # noqa: BLE001 - one bad delivery must not fail its page-mates
            await self._split(page, error)
            return
        # per-delivery detail at DEBUG in one line per page (ids and outcomes only; the audit trail has each)
        _log.debug("webhook_received", deliveries=[(a.actor.request_id, o.delivery_id, o.status.value, o.reading_id)
                                                   for a, o in zip(arrivals, outcomes, strict=True)])
        for (_, outcome, _), taken in zip(page, outcomes, strict=True):
            if not outcome.done():
                outcome.set_result(taken)

    async def _split(self, page: Sequence[Waiting], error: Exception) -> None:
        if is_connection_error(error):  # the database is away: every delivery fails alike (503, sent again)
            for _, outcome, _ in page:
                if not outcome.done():
                    outcome.set_exception(error)
            return
        if len(page) > 1:
            half = len(page) // 2
            await self._commit(page[:half])
            await self._commit(page[half:])
            return
        arrival, outcome, _ = page[0]
        _log.error("delivery_failed", error_type=type(error).__name__, request_id=arrival.actor.request_id)
        try:
            await self._keep_failed(arrival, type(error).__name__)
        except Exception as keeping:  # noqa: BLE001 - answer the caller whatever happens
            outcome.set_exception(keeping)
            return
        outcome.set_exception(DeliveryFailed(type(error).__name__))


def group_commit_on(container: AsyncContainer, intake: PageIntake, max_page: int) -> GroupCommit:
    """A GroupCommit whose pages each run in a transaction of their own (`intake`: a unit of work per call,
    and a page the database aborted to break a deadlock with another process's page is taken in again whole)."""

    async def take_in(arrivals: Sequence[Arrival]) -> list[DeliveryTakenIn]:
        return await intake(TakeInDeliveriesCommand(arrivals))

    async def keep_failed(arrival: Arrival, error_type: str) -> None:
        async with container() as scope:
            keep = await scope.get(KeepFailedDelivery)
            await keep(KeepFailedDeliveryCommand(arrival.delivery, arrival.actor, error_type))

    return GroupCommit(take_in, keep_failed, max_page)
