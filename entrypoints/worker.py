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
from domain.alerts import Alert
from domain.events import ObservationPushed
from domain.ports import AuditLog

_log = structlog.get_logger("vantrexia.worker")
HOUSEKEEPING_SECONDS = 1.0  # escalation, sealing and gauges scan tables: once a second, not per batch
ALERT_CLAIM_SECONDS = 0.1  # an alert push may wait a tenth of a second; a claim per batch costs a transaction


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


class Every:
    """A gate that opens at most once per `seconds` (monotonic clock)."""

    def __init__(self, seconds: float) -> None:
        self._seconds = seconds
        self._opened_at = float("-inf")

    def due(self) -> bool:
        now = time.monotonic()
        if now - self._opened_at < self._seconds:
            return False
        self._opened_at = now
        return True


class OutboxWorker:
    """Runs PushPendingObservations in a loop; each batch gets its own request scope."""

    def __init__(
        self, container: AsyncContainer, *, batch_size: int, poll_seconds: float,
        wakeup: WorkerWakeup | None = None, lease_seconds: float = 60.0,
    ) -> None:
        self._container = container
        self._poll_seconds = poll_seconds
        self._wakeup = wakeup or WorkerWakeup()
        self.worker_id = f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"
        # claimed items return to the pool after the lease (a dead worker's, for instance)
        self._batch = PushBatch(self.worker_id, batch_size, timedelta(seconds=lease_seconds))
        self._housekeeping = Every(HOUSEKEEPING_SECONDS)
        self._alert_claims = Every(ALERT_CLAIM_SECONDS)
        self._recording: asyncio.Task[None] | None = None
        self._next: asyncio.Task[ClaimedBatch] | None = None  # the next batch, claimed ahead

    async def run_once(self, *, housekeeping: bool | None = None, pipelined: bool = False) -> int:
        """One batch of EMR pushes and alert pushes; every HOUSEKEEPING_SECONDS (or when asked) also
        withdrawals, escalations, audit sealing and backlog gauges. Returns the work done.

        `pipelined`: the batch's outcomes are recorded in the background while the next batch is
        claimed and sent (at most one batch waits to be recorded; `flush` waits for it)."""
        async with self._container() as scope:
            sent = await self._push(await scope.get(PushPendingObservations), pipelined)
            due = housekeeping if housekeeping is not None else self._housekeeping.due()
            alerts = due or self._alert_claims.due()
            notifications = await (await scope.get(PushAlertNotifications))(self._batch) if alerts else []
            withdrawals, escalations = await self._housekeep(scope) if due else ([], [])
        if pipelined and sent.updated:
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

    async def _push(self, push: PushPendingObservations, pipelined: bool) -> SentBatch:
        if not pipelined:
            sent = await push.send(self._batch)
            await push.record(sent)
            return sent
        claimed = await self._prefetched(push)
        if len(claimed.items) == self._batch.limit:  # more is likely due: claim it while these are sent
            self._next = asyncio.create_task(self._claim())
        return await push.deliver(claimed)

    async def _housekeep(self, scope: AsyncContainer) -> tuple[list[ObservationPushed], list[Alert]]:
        # withdrawals are rare corrections: a second's delay costs nothing, a claim per batch does
        withdrawals = await (await scope.get(PushWithdrawals))(self._batch)
        escalations = list(await (await scope.get(EscalateAlerts))())
        sealed = await (await scope.get(AuditLog)).seal()
        await (await scope.get(MeasureBacklog))()
        if sealed:
            _log.debug("audit_sealed", entries=sealed)
        return withdrawals, escalations

    async def _prefetched(self, push: PushPendingObservations) -> ClaimedBatch:
        upcoming, self._next = self._next, None
        return await upcoming if upcoming is not None else await push.claim(self._batch)

    async def _claim(self) -> ClaimedBatch:
        async with self._container() as scope:
            return await (await scope.get(PushPendingObservations)).claim(self._batch)

    async def _finish_prefetched(self) -> None:
        """Items claimed ahead are sent and recorded before stopping, not left to their lease."""
        if self._next is None:
            return
        async with self._container() as scope:
            push = await scope.get(PushPendingObservations)
            await push.record(await push.deliver(await self._prefetched(push)))

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
            await self._finish_prefetched()
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
