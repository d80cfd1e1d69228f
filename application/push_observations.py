"""PushPendingObservations: the outbox worker's step that delivers Observations to the EMR."""

from __future__ import annotations

import time

from application.auditing import Auditor
from application.context import OUTBOX_WORKER
from application.outbox import PushBatch, claim, failed_attempt
from application.tracing import NULL_METRICS, NULL_TRACER
from domain.audit import AuditOutcome
from domain.events import ObservationPushed
from domain.observations import ObservationCode, ObservationDraft
from domain.ports import (
    Clock,
    EmrGateway,
    IdGenerator,
    Metrics,
    RandomSource,
    Tracer,
    UnitOfWork,
)
from domain.ports.emr import EmrError
from domain.readings import ReadingStatus
from domain.sync import OutboxItem, OutboxTopic, RetryPolicy, SyncAttempt, delivered, failed


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
        with self._tracer.span("outbox.claim") as span:
            items = await claim(self._uow, OutboxTopic.EMR_PUSH, self._clock.now(), batch)
            span.set("topic", OutboxTopic.EMR_PUSH.value)
            span.set("claimed", len(items))
        return [await self._traced_push(item) for item in items]

    async def _traced_push(self, item: OutboxItem) -> ObservationPushed:
        with self._tracer.span("emr.push", parent=item.trace_context) as span:
            started = time.perf_counter()
            pushed = await self._push(item)
            labels = {"status": pushed.status}
            self._metrics.observe("emr_push_latency_ms", (time.perf_counter() - started) * 1000, labels)
            if pushed.status != "delivered":
                self._metrics.count("emr_push_failures", {**labels, "http_status": str(pushed.http_status or "")})
            for key, value in (("item_id", item.id), ("code", item.code or ""), ("status", pushed.status),
                               ("http_status", pushed.http_status or 0)):
                span.set(key, value)
            return pushed

    async def _push(self, item: OutboxItem) -> ObservationPushed:
        draft = await self._draft(item)
        now = self._clock.now()
        if draft is None:
            updated = failed(item, now, error="reading is no longer eligible for the EMR",
                             http_status=None, permanent=True, policy=self._policy, jitter=0.0)
        else:
            updated = await self._send(item, draft)
        async with self._uow as uow:
            await uow.outbox.save(updated)
            await uow.outbox.add_attempt(SyncAttempt(
                id=self._ids.new_id(), item_id=item.id, attempted_at=now, status=updated.status,
                http_status=updated.http_status, external_id=updated.external_id,
                error=updated.last_error,
            ))
            await uow.commit()
        await self._auditor.record(
            OUTBOX_WORKER, "emr.observation.create", "Observation",
            [item.id, item.reading_id or ""],
            AuditOutcome.SUCCESS if updated.status == "delivered" else AuditOutcome.FAILURE,
            status=updated.status.value, http_status=str(updated.http_status or ""),
        )
        return ObservationPushed(item.id, updated.status.value, updated.http_status)

    async def _send(self, item: OutboxItem, draft: ObservationDraft) -> OutboxItem:
        now = self._clock.now
        try:
            receipt = await self._emr.create_observation(draft)
        except EmrError as error:
            return failed_attempt(item, error, now(), self._policy, self._random)
        except Exception as error:  # noqa: BLE001 - an adapter bug must cost an attempt, not the worker
            return failed(item, now(), error=f"unexpected {type(error).__name__}", http_status=None,
                          permanent=False, policy=self._policy, jitter=self._random.random())
        return delivered(item, now(), receipt.http_status, receipt.emr_resource_id)

    async def _draft(self, item: OutboxItem) -> ObservationDraft | None:
        async with self._uow as uow:
            reading = await uow.readings.get(item.reading_id or "")
            if reading is None or reading.status is not ReadingStatus.ACCEPTED or not reading.patient_id:
                return None
            patient = await uow.patients.get(reading.patient_id)
            device = await uow.devices.get(reading.device_id)
        if patient is None or device is None or item.code is None:
            return None
        return ObservationDraft(ObservationCode(item.code), reading, patient.emr_patient_id, device.model_number)
