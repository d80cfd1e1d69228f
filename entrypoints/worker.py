"""The outbox worker: claims due EMR pushes and sends them, until told to stop."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import time
from datetime import timedelta

import structlog
from dishka import AsyncContainer

from application.backlog import MeasureBacklog
from application.outbox import PushBatch
from application.push_alerts import EscalateAlerts, PushAlertNotifications
from application.push_observations import ClaimedBatch, PushPendingObservations, SentBatch
from application.push_withdrawals import PushWithdrawals
from domain.events import ObservationPushed
from domain.ports import AuditLog

_log = structlog.get_logger("vantrexia.worker")
HOUSEKEEPING_SECONDS = 1.0
ALERT_CLAIM_SECONDS = 0.1


class WorkerWakeup:
    """Lets the API nudge an in-process worker as soon as new work is committed."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def notify(self) -> None:
        self._event.set()

    async def wait(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._event.wait(), seconds)
        self._event.clear()


class OutboxWorker:
    """Runs PushPendingObservations in a loop; each batch gets its own request scope."""

    def __init__(
        self, container: AsyncContainer, *, batch_size: int, poll_seconds: float,
        wakeup: WorkerWakeup | None = None, lease_seconds: float = 60.0,
    ) -> None:
        self._container = container
        self._batch_size = batch_size
        self._lease = timedelta(seconds=lease_seconds)  # claimed items return to the pool after it
        self._poll_seconds = poll_seconds
        self._wakeup = wakeup or WorkerWakeup()
        self.worker_id = f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"
        self._housekeeping_at = self._alerts_at = 0.0
        self._recording: asyncio.Task[None] | None = None
        self._next: asyncio.Task[ClaimedBatch] | None = None  # the next batch, claimed ahead

    async def run_once(self, *, housekeeping: bool | None = None, pipelined: bool = False) -> int:
        """One batch of EMR pushes and alert pushes; every HOUSEKEEPING_SECONDS (or when asked) also
        withdrawals, escalations, audit sealing and backlog gauges. Returns the work done.

        `pipelined`: the batch's outcomes are recorded in the background while the next batch is
        claimed and sent (at most one batch waits to be recorded; `flush` waits for it)."""
        batch = PushBatch(self.worker_id, self._batch_size, self._lease)
        escalations: list[object] = []
        withdrawals: list[ObservationPushed] = []
        async with self._container() as scope:
            push = await scope.get(PushPendingObservations)
            if not pipelined:
                sent = await push.send(batch)
                await push.record(sent)
            else:
                claimed = await self._prefetched(push, batch)
                if len(claimed.items) == batch.limit:  # more is likely due: claim it while these are sent
                    self._next = asyncio.create_task(self._claim(batch))
                sent = await push.deliver(claimed)
            due = housekeeping if housekeeping is not None else self._housekeeping_due()
            notifications = await (await scope.get(PushAlertNotifications))(batch) if due or self._alerts_due() else []
            if due:
                # withdrawals are rare corrections: a second's delay costs nothing, a claim per batch does
                withdrawals = await (await scope.get(PushWithdrawals))(batch)
                escalations = list(await (await scope.get(EscalateAlerts))())
                sealed = await (await scope.get(AuditLog)).seal()
                await (await scope.get(MeasureBacklog))()
                if sealed:
                    _log.debug("audit_sealed", entries=sealed)
        if pipelined and sent.items:
            await self.flush()
            self._recording = asyncio.create_task(self._record(sent))
        observations = sent.results
        for result in observations:
            _log.info("emr_push", item_id=result.item_id, status=result.status, http_status=result.http_status)
        for result in withdrawals:
            _log.info("emr_withdraw", item_id=result.item_id, status=result.status, http_status=result.http_status)
        for result in notifications:
            _log.info("alert_push", item_id=result.item_id, status=result.status)
        done = [r for r in withdrawals if r.status != "pending"]  # a deferred withdrawal is not progress
        return len(observations) + len(done) + len(notifications) + len(escalations)

    async def _prefetched(self, push: PushPendingObservations, batch: PushBatch) -> ClaimedBatch:
        upcoming, self._next = self._next, None
        return await upcoming if upcoming is not None else await push.claim(batch)

    async def _claim(self, batch: PushBatch) -> ClaimedBatch:
        async with self._container() as scope:
            return await (await scope.get(PushPendingObservations)).claim(batch)

    async def _finish_prefetched(self, batch: PushBatch) -> None:
        """Items claimed ahead are sent and recorded before stopping, not left to their lease."""
        if self._next is None:
            return
        async with self._container() as scope:
            push = await scope.get(PushPendingObservations)
            claimed = await self._prefetched(push, batch)
            await push.record(await push.deliver(claimed))

    async def _record(self, sent: SentBatch) -> None:
        async with self._container() as scope:
            await (await scope.get(PushPendingObservations)).record(sent)

    async def flush(self) -> None:
        """Wait until the batch being recorded in the background is written."""
        recording, self._recording = self._recording, None
        if recording is None:
            return
        try:
            await recording
        except Exception as error:  # noqa: BLE001 - the lease frees the claim; conditional create dedupes
            _log.error("worker_record_failed", error_type=type(error).__name__)

    def _alerts_due(self) -> bool:
        # an alert push may wait a tenth of a second; a claim per EMR batch costs a transaction each
        now = time.monotonic()
        if now - self._alerts_at < ALERT_CLAIM_SECONDS:
            return False
        self._alerts_at = now
        return True

    def _housekeeping_due(self) -> bool:
        # escalation, sealing and gauges scan tables: once a second per loop is plenty, per batch is not
        now = time.monotonic()
        if now - self._housekeeping_at < HOUSEKEEPING_SECONDS:
            return False
        self._housekeeping_at = now
        return True

    async def run(self, stop: asyncio.Event) -> None:
        _log.info("worker_started", worker_id=self.worker_id)
        while not stop.is_set():
            try:
                attempted = await self.run_once(pipelined=True)
            except Exception as error:  # noqa: BLE001 - keep the worker alive; the lease frees the claim
                _log.error("worker_batch_failed", error_type=type(error).__name__)
                attempted = 0
            if attempted == 0:
                await self.flush()
                await self._wakeup.wait(self._poll_seconds)
        try:
            await self._finish_prefetched(PushBatch(self.worker_id, self._batch_size, self._lease))
        except Exception as error:  # noqa: BLE001 - the lease frees the claim
            _log.error("worker_batch_failed", error_type=type(error).__name__)
        await self.flush()
        _log.info("worker_stopped", worker_id=self.worker_id)

    async def drain(self, max_batches: int = 1000) -> int:
        """Run batches until nothing is due (for tests and one-shot runs)."""
        total = 0
        for _ in range(max_batches):
            attempted = await self.run_once(housekeeping=True)
            if attempted == 0:
                break
            total += attempted
        return total
