"""PushWithdrawals: the outbox worker's step that marks withdrawn readings' Observations entered-in-error."""

from __future__ import annotations

from datetime import timedelta

from application.auditing import Auditor
from application.context import OUTBOX_WORKER
from application.outbox import PushBatch, claim, failed_attempt, record_attempts
from application.tracing import NULL_TRACER
from domain.audit import AuditOutcome
from domain.events import ObservationPushed
from domain.observations import ObservationCode, observation_identifier
from domain.ports import Clock, EmrGateway, IdGenerator, RandomSource, Tracer, UnitOfWork
from domain.ports.emr import EmrError
from domain.sync import OutboxItem, OutboxTopic, RetryPolicy, SyncStatus, deferred, delivered

WAIT_FOR_PUSH = timedelta(seconds=5)


class PushWithdrawals:
    """Claim due withdrawals; each waits until no push of the same Observation is still under way."""

    def __init__(
        self, uow: UnitOfWork, emr: EmrGateway, clock: Clock, ids: IdGenerator, random: RandomSource,
        policy: RetryPolicy, auditor: Auditor, tracer: Tracer = NULL_TRACER,
    ) -> None:
        self._uow = uow
        self._emr = emr
        self._clock = clock
        self._ids = ids
        self._random = random
        self._policy = policy
        self._auditor = auditor
        self._tracer = tracer

    async def __call__(self, batch: PushBatch) -> list[ObservationPushed]:
        items = await claim(self._uow, OutboxTopic.EMR_WITHDRAW, self._clock.now(), batch)
        return [await self._withdraw(item) for item in items]

    async def _withdraw(self, item: OutboxItem) -> ObservationPushed:
        with self._tracer.span("emr.withdraw", parent=item.trace_context) as span:
            span.set("item_id", item.id)
            if await self._push_under_way(item):
                async with self._uow as uow:
                    await uow.outbox.save(deferred(item, self._clock.now(), WAIT_FOR_PUSH))
                    await uow.commit()
                return ObservationPushed(item.id, SyncStatus.PENDING.value, None)
            updated = await self._send(item)
            await self._record(item, updated)
            span.set("status", updated.status.value)
            return ObservationPushed(item.id, updated.status.value, updated.http_status)

    async def _push_under_way(self, item: OutboxItem) -> bool:
        async with self._uow as uow:
            siblings = await uow.outbox.for_reading(item.reading_id or "")
        return any(s.topic is OutboxTopic.EMR_PUSH and s.code == item.code and not s.finished for s in siblings)

    async def _send(self, item: OutboxItem) -> OutboxItem:
        now = self._clock.now
        identifier = observation_identifier(item.reading_id or "", ObservationCode(item.code or ""))
        try:
            receipt = await self._emr.withdraw_observation(identifier)
        except EmrError as error:
            return failed_attempt(item, error, now(), self._policy, self._random)
        if receipt is None:  # never reached the EMR: nothing to withdraw there
            return delivered(item, now(), None, None)
        return delivered(item, now(), receipt.http_status, receipt.emr_resource_id)

    async def _record(self, item: OutboxItem, updated: OutboxItem) -> None:
        async with self._uow as uow:
            await record_attempts(uow, self._ids, [updated])
            await uow.commit()
        outcome = AuditOutcome.SUCCESS if updated.status is SyncStatus.DELIVERED else AuditOutcome.FAILURE
        await self._auditor.record(OUTBOX_WORKER, "emr.observation.withdraw", "Observation",
                                   [item.id, item.reading_id or ""], outcome, status=updated.status.value,
                                   http_status=str(updated.http_status or ""))
