"""The outbox relay's wiring: its topic handlers (in claim priority) and a transaction per call."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from functools import partial

from dishka import AsyncContainer, Provider, Scope, provide

from application.auditing import Auditor
from application.push_alerts import AlertPushHandler
from application.relay import OutboxRelay
from application.send_observations import EmrCreateHandler
from application.withdraw_observations import EmrWithdrawHandler
from domain.ports import Clock, EmrDirectory, IdGenerator, Metrics, Notifier, RandomSource, Tracer, UnitOfWork
from domain.sync import RetryPolicy


@dataclass(frozen=True)
class RelayFactory:
    """Builds one relay per worker loop (a relay holds that loop's pipelining state)."""

    directory: EmrDirectory
    notifier: Notifier
    clock: Clock
    ids: IdGenerator
    random: RandomSource
    policy: RetryPolicy
    auditor: Auditor
    tracer: Tracer
    metrics: Metrics

    def build(self, container: AsyncContainer) -> OutboxRelay:
        # alerts first (a critical alert never waits behind an EMR backlog), then creates, then withdrawals
        handlers = (AlertPushHandler(self.notifier), EmrCreateHandler(self.directory),
                    EmrWithdrawHandler(self.directory))
        return OutboxRelay(partial(scoped_unit_of_work, container), handlers, self.clock, self.ids, self.random,
                           self.policy, self.auditor, self.tracer, self.metrics)


@asynccontextmanager
async def scoped_unit_of_work(container: AsyncContainer) -> AsyncIterator[UnitOfWork]:
    """The container's unit of work (real or a test's fake) in a request scope of its own."""
    async with container() as scope:
        uow = await scope.get(UnitOfWork)
        async with uow:
            yield uow


class RelayProvider(Provider):
    scope = Scope.APP
    relay_factory = provide(RelayFactory)
