"""The outbox worker: runs the relay in a loop, and housekeeping once a second, until told to stop."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
from dataclasses import replace
from datetime import timedelta

import structlog
from dishka import AsyncContainer

from application.backlog import MeasureBacklog
from application.push_alerts import EscalateAlerts
from application.relay import OutboxRelay, RelayBatch, RelayReport
from domain.ports import AuditLog
from entrypoints.relay_wiring import RelayFactory

_log = structlog.get_logger("vantrexia.worker")
HOUSEKEEPING_SECONDS = 1.0  # escalation, sealing and gauges scan tables: once a second, not per batch
_ITEM_EVENTS = {"emr.push": "emr_push", "emr.withdraw": "emr_withdraw", "notify.alert": "alert_push"}


class WorkerWakeup:
    """Lets the API (or LISTEN/NOTIFY) nudge the workers as soon as new work is committed: an idle one wakes,
    a busy one's relay claims it without waiting for its sends."""

    def __init__(self) -> None:
        self._event = asyncio.Event()
        self._relays: list[OutboxRelay] = []

    def notify(self) -> None:
        self._event.set()
        for relay in self._relays:
            relay.nudge()

    def nudges(self, relay: OutboxRelay) -> None:
        self._relays.append(relay)

    async def wait(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._event.wait(), seconds)
        self._event.clear()


class OutboxWorker:
    """One relay loop; the relay claims, sends, records and pipelines, the worker only paces it."""

    def __init__(
        self, container: AsyncContainer, *, batch_size: int, poll_seconds: float,
        wakeup: WorkerWakeup | None = None, lease_seconds: float = 60.0,
    ) -> None:
        self._container = container
        self._poll_seconds = poll_seconds
        self._wakeup = wakeup or WorkerWakeup()
        self.worker_id = f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"
        # claimed items return to the pool after the lease (a dead worker's, for instance)
        self._batch = RelayBatch(self.worker_id, batch_size, timedelta(seconds=lease_seconds))
        self._relay: OutboxRelay | None = None

    async def run_once(self, *, housekeeping: bool = False, pipelined: bool = False) -> int:
        """One relay batch (pipelined: one turn of the sliding window); with `housekeeping` also escalations,
        audit sealing and backlog gauges. Returns the work done or still under way (a deferred item is not
        progress)."""
        report = await (await self._relay_of())(replace(self._batch, pipelined=pipelined))
        _log_batch(report)
        return report.progress + report.under_way + (await self._housekeep() if housekeeping else 0)

    async def _relay_of(self) -> OutboxRelay:
        if self._relay is None:
            self._relay = (await self._container.get(RelayFactory)).build(self._container)
            self._wakeup.nudges(self._relay)
        return self._relay

    async def _housekeep(self) -> int:
        async with self._container() as scope:
            escalations = await (await scope.get(EscalateAlerts))()
            sealed = await (await scope.get(AuditLog)).seal()
            await (await scope.get(MeasureBacklog))()
        if sealed:
            _log.debug("audit_sealed", entries=sealed)
        return len(escalations)

    async def run(self, stop: asyncio.Event) -> None:
        """Turns of the window until `stop` (SIGTERM); then every claimed item is sent and recorded.
        Housekeeping runs beside the window, so its table scans never pause the sends' records and claims."""
        _log.info("worker_started", worker_id=self.worker_id)
        housekeeping = asyncio.create_task(self._housekeep_until(stop), name="worker-housekeeping")
        while not stop.is_set():
            try:
                attempted = await self.run_once(pipelined=True)
            except Exception as error:  # noqa: BLE001 - keep the worker alive; the lease frees the claim
                _log.error("worker_batch_failed", error_type=type(error).__name__)
                attempted = 0
            if attempted == 0:
                await self._wakeup.wait(self._poll_seconds)
        await housekeeping
        if self._relay is not None:
            try:
                unrecorded = await self._relay.settle()
            except Exception as error:  # noqa: BLE001 - the lease frees the claim
                _log.error("worker_batch_failed", error_type=type(error).__name__)
            else:
                if unrecorded:
                    _log.error("worker_record_failed", error_type=unrecorded)
        _log.info("worker_stopped", worker_id=self.worker_id)

    async def _housekeep_until(self, stop: asyncio.Event) -> None:
        """Every HOUSEKEEPING_SECONDS until `stop`; escalations just queued wake the window at once."""
        while not stop.is_set():
            try:
                if await self._housekeep():
                    self._wakeup.notify()
            except Exception as error:  # noqa: BLE001 - the next round tries again
                _log.error("worker_housekeeping_failed", error_type=type(error).__name__)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), HOUSEKEEPING_SECONDS)

    async def drain(self, max_batches: int = 1000) -> int:
        """Run batches until nothing is due (for tests and one-shot runs)."""
        total = 0
        for _ in range(max_batches):
            attempted = await self.run_once(housekeeping=True)
            if attempted == 0:
                break
            total += attempted
        return total


def _log_batch(report: RelayReport) -> None:
    """One INFO line per batch (counts, and the ids delivered); per-item detail at DEBUG."""
    if report.unrecorded:
        _log.error("worker_record_failed", error_type=report.unrecorded)
    if not report.results:
        return
    counts: dict[str, int] = {}
    for result in report.results:
        counts[result.status] = counts.get(result.status, 0) + 1
        _log.debug(_ITEM_EVENTS.get(result.topic, "outbox_item"), item_id=result.item_id, status=result.status,
                   http_status=result.http_status)
    _log.info("outbox_batch", **counts, delivered_ids=[r.item_id for r in report.results if r.status == "delivered"])
