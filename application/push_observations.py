"""PushPendingObservations: the outbox worker's step that delivers Observations to the EMR.

A claimed batch is read in one transaction, sent to the EMR concurrently (the EMR's latency, not
our CPU, bounds a push), and its outcomes are written back in one transaction.
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from application.auditing import Auditor
from application.context import OUTBOX_WORKER
from application.outbox import PushBatch, failed_attempt, record_attempts
from application.tracing import NULL_METRICS, NULL_TRACER
from domain.audit import AuditOutcome
from domain.events import ObservationPushed
from domain.observations import ObservationCode, ObservationDraft
from domain.ports import Clock, EmrGateway, IdGenerator, Metrics, RandomSource, Tracer, UnitOfWork
from domain.ports.emr import EmrError
from domain.readings import ReadingStatus
from domain.sync import OutboxItem, OutboxTopic, RetryPolicy, SyncStatus, delivered, failed


@dataclass(frozen=True)
class ClaimedBatch:
    """Leased pushes and the Observation each sends (none: no longer eligible)."""

    items: Sequence[OutboxItem] = ()
    drafts: Mapping[str, ObservationDraft] = field(default_factory=dict)


@dataclass(frozen=True)
class SentBatch:
    """A claimed batch after its sends: each item as it is to be recorded."""

    updated: Sequence[OutboxItem] = ()

    @property
    def results(self) -> list[ObservationPushed]:
        return [ObservationPushed(u.id, u.status.value, u.http_status) for u in self.updated]


class PushPendingObservations:
    """Claim due EMR pushes, send each, and record the attempt and the item's new state."""

    def __init__(
        self, uow: UnitOfWork, emr: EmrGateway, clock: Clock, ids: IdGenerator,
        random: RandomSource, policy: RetryPolicy, auditor: Auditor, tracer: Tracer = NULL_TRACER,
        metrics: Metrics = NULL_METRICS,
    ) -> None:
        self._tracer = tracer
        self._metrics = metrics
        self._uow = uow
        self._emr = emr
        self._clock = clock
        self._ids = ids
        self._random = random
        self._policy = policy
        self._auditor = auditor

    async def __call__(self, batch: PushBatch) -> list[ObservationPushed]:
        sent = await self.send(batch)
        await self.record(sent)
        return sent.results

    async def send(self, batch: PushBatch) -> SentBatch:
        """Claim due pushes and send them; the claim's lease keeps them ours until `record`."""
        return await self.deliver(await self.claim(batch))

    async def claim(self, batch: PushBatch) -> ClaimedBatch:
        """Lease due pushes and read what they send, in one short transaction."""
        with self._tracer.span("outbox.claim") as span:
            async with self._uow as uow:
                items = await uow.outbox.claim_due(
                    OutboxTopic.EMR_PUSH, self._clock.now(), batch.limit, batch.worker_id, batch.lease)
                drafts = await self._drafts(uow, items) if items else {}
                await uow.commit()
            span.set("topic", OutboxTopic.EMR_PUSH.value)
            span.set("claimed", len(items))
        return ClaimedBatch(items, drafts)

    async def deliver(self, claimed: ClaimedBatch) -> SentBatch:
        """Send a claimed batch to the EMR, all at once (no database work)."""
        if not claimed.items:
            return SentBatch()
        drafts = claimed.drafts
        updated = await asyncio.gather(*(self._traced_push(item, drafts.get(item.id)) for item in claimed.items))
        return SentBatch(updated)

    async def record(self, sent: SentBatch) -> None:
        """Write a sent batch's outcomes (lost with a crash: the lease ends, conditional create dedupes)."""
        if sent.updated:
            await self._record(sent.updated)

    async def _traced_push(self, item: OutboxItem, draft: ObservationDraft | None) -> OutboxItem:
        with self._tracer.span("emr.push", parent=item.trace_context) as span:
            started = time.perf_counter()
            updated = await self._send(item, draft)
            labels = {"status": updated.status.value}
            self._metrics.observe("emr_push_latency_ms", (time.perf_counter() - started) * 1000, labels)
            if updated.status is not SyncStatus.DELIVERED:
                self._metrics.count("emr_push_failures", {**labels, "http_status": str(updated.http_status or "")})
            for key, value in (("item_id", item.id), ("code", item.code or ""), ("status", updated.status.value),
                               ("http_status", updated.http_status or 0)):
                span.set(key, value)
            return updated

    async def _send(self, item: OutboxItem, draft: ObservationDraft | None) -> OutboxItem:
        now = self._clock.now
        if draft is None:
            return failed(item, now(), error="reading is no longer eligible for the EMR", http_status=None,
                          permanent=True, policy=self._policy, jitter=0.0)
        try:
            receipt = await self._emr.create_observation(draft)
        except EmrError as error:
            return failed_attempt(item, error, now(), self._policy, self._random)
        except Exception as error:  # noqa: BLE001 - an adapter bug must cost an attempt, not the worker
            return failed(item, now(), error=f"unexpected {type(error).__name__}", http_status=None,
                          permanent=False, policy=self._policy, jitter=self._random.random())
        return delivered(item, now(), receipt.http_status, receipt.emr_resource_id)

    @staticmethod
    async def _drafts(uow: UnitOfWork, items: Sequence[OutboxItem]) -> dict[str, ObservationDraft]:
        """The Observation each item sends; items whose reading is no longer eligible have none."""
        readings = await uow.readings.get_many([i.reading_id for i in items if i.reading_id])
        eligible = {r.id: r for r in readings.values() if r.status is ReadingStatus.ACCEPTED and r.patient_id}
        patients = await uow.patients.get_many(sorted({r.patient_id or "" for r in eligible.values()}))
        devices = await uow.devices.get_many(sorted({r.device_id for r in eligible.values()}))
        drafts = {}
        for item in items:
            reading = eligible.get(item.reading_id or "")
            if reading is None or item.code is None:
                continue
            patient, device = patients.get(reading.patient_id or ""), devices.get(reading.device_id)
            if patient is not None and device is not None:
                drafts[item.id] = ObservationDraft(ObservationCode(item.code), reading, patient.emr_patient_id,
                                                   device.model_number)
        return drafts

    async def _record(self, updated: Sequence[OutboxItem]) -> None:
        """Every outcome and its attempt in one transaction; then one audit entry per outcome."""
        async with self._uow as uow:
            await record_attempts(uow, self._ids, updated)
            await uow.commit()
        outcomes: dict[tuple[str, str], list[str]] = defaultdict(list)
        for after in updated:
            outcomes[(after.status.value, str(after.http_status or ""))].extend((after.id, after.reading_id or ""))
        for (status, http_status), resource_ids in outcomes.items():
            await self._auditor.record(
                OUTBOX_WORKER, "emr.observation.create", "Observation", resource_ids,
                AuditOutcome.SUCCESS if status == SyncStatus.DELIVERED.value else AuditOutcome.FAILURE,
                status=status, http_status=http_status,
            )
