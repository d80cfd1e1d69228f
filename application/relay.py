"""OutboxRelay: the one consumer of the outbox, for every topic.

A batch is claimed (leased) and prepared in one transaction, sent through each item's topic handler
all at once (the peers' latency, not our CPU, bounds a send), and its outcomes, attempts and the
handlers' own writes are recorded in one transaction, then audited. Pipelined, the next batch is
claimed while this one is sent and a batch is recorded while the next one is sent, so a backlog
keeps the EMR busy.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import timedelta

from application.auditing import Auditor
from application.relay_handler import Outcome, TopicHandler, resting_of
from application.relay_record import Sent, attempts_of, audit_batch, next_state
from application.tracing import NULL_METRICS, NULL_TRACER
from domain.delivery_health import marks_of
from domain.events import OutboxItemSent
from domain.ports import Clock, IdGenerator, Metrics, RandomSource, Tracer, UnitOfWork
from domain.sync import OutboxItem, RetryPolicy, SyncStatus

UnitsOfWork = Callable[[], AbstractAsyncContextManager[UnitOfWork]]  # a fresh transaction per call


@dataclass(frozen=True)
class RelayBatch:
    """One claim: how many items, how long they stay ours, and whether to overlap with the next batch."""

    worker_id: str
    limit: int = 20
    lease: timedelta = field(default=timedelta(seconds=60))
    pipelined: bool = False


@dataclass(frozen=True)
class RelayReport:
    """Each item's new status (deferred ones stay pending); `unrecorded`: why an earlier batch's record failed."""

    results: tuple[OutboxItemSent, ...] = ()
    unrecorded: str | None = None

    @property
    def progress(self) -> int:
        return sum(r.status != "pending" for r in self.results)


@dataclass(frozen=True)
class _Claimed:
    items: Sequence[OutboxItem] = ()
    prepared: dict[str, object] = field(default_factory=dict)


class OutboxRelay:
    """Claims due items of every registered topic (handlers in priority order), sends, records, audits."""

    def __init__(
        self, units: UnitsOfWork, handlers: Sequence[TopicHandler], clock: Clock, ids: IdGenerator,
        random: RandomSource, policy: RetryPolicy, auditor: Auditor, tracer: Tracer = NULL_TRACER,
        metrics: Metrics = NULL_METRICS,
    ) -> None:
        self._units = units
        self._handlers = {handler.topic: handler for handler in handlers}
        self._topics = tuple(self._handlers)
        # topics to per-practice destinations: their outcomes are each practice's delivery health
        self._noted = frozenset(topic for topic, handler in self._handlers.items() if resting_of(handler) is not None)
        self._clock, self._ids, self._random, self._policy = clock, ids, random, policy
        self._auditor, self._tracer, self._metrics = auditor, tracer, metrics
        self._ahead: asyncio.Task[_Claimed] | None = None  # the next batch, claimed while this one is sent
        self._recording: asyncio.Task[None] | None = None  # the previous batch, recorded while this one is sent

    async def __call__(self, batch: RelayBatch) -> RelayReport:
        claimed = await self._take(batch)
        if batch.pipelined and len(claimed.items) == batch.limit:  # more is likely due: claim it meanwhile
            self._ahead = asyncio.create_task(self._claim(batch))
        sent = await self._send(claimed)
        unrecorded = None
        if not batch.pipelined:
            await self._record(sent)
        else:
            unrecorded = await self._settle_recording()
            if sent:
                self._recording = asyncio.create_task(self._record(sent))
        results = tuple(OutboxItemSent(a.id, a.status.value, a.http_status, a.topic) for a, _ in sent)
        return RelayReport(results, unrecorded)

    async def settle(self) -> str | None:
        """Before stopping: items claimed ahead are sent and recorded, and the batch being recorded is
        written (not left to their lease). Returns why a record failed, if one did."""
        ahead, self._ahead = self._ahead, None
        try:
            if ahead is not None:
                await self._record(await self._send(await ahead))
        finally:
            unrecorded = await self._settle_recording()
        return unrecorded

    async def _take(self, batch: RelayBatch) -> _Claimed:
        ahead, self._ahead = self._ahead, None
        return await ahead if ahead is not None else await self._claim(batch)

    async def _claim(self, batch: RelayBatch) -> _Claimed:
        with self._tracer.span("outbox.claim") as span:
            async with self._units() as uow:
                items = await uow.outbox.claim_due(self._topics, self._clock.now(), batch.limit, batch.worker_id,
                                                   batch.lease, self._resting())
                prepared: dict[str, object] = {}
                for topic, group in _by_topic(items).items():
                    prepared.update(await self._handlers[topic].prepare(uow, group))
                await uow.commit()
            span.set("claimed", len(items))
        return _Claimed(items, prepared)

    def _resting(self) -> dict[str, frozenset[str]]:
        """By topic, the practices whose destination asked us to wait (only topics that have any)."""
        resting = {topic: resting_of(handler) for topic, handler in self._handlers.items()}
        return {topic: practices for topic, practices in resting.items() if practices}

    async def _send(self, claimed: _Claimed) -> list[Sent]:
        return list(await asyncio.gather(*(self._send_one(i, claimed.prepared.get(i.id)) for i in claimed.items)))

    async def _send_one(self, item: OutboxItem, prepared: object | None) -> Sent:
        handler = self._handlers[item.topic]
        with self._tracer.span(handler.span_name, parent=item.trace_context) as span:
            started = asyncio.get_running_loop().time()
            try:
                outcome = await handler.send(item, prepared)
            except Exception as error:  # noqa: BLE001 - an adapter bug must cost an attempt, not the worker
                outcome = Outcome.failure(f"unexpected {type(error).__name__}")
            after = next_state(item, outcome, self._clock.now(), self._policy, self._random)
            if outcome.wait is None:
                self._measure(handler.span_name.replace(".", "_"), after, started)
            for key, value in (("item_id", item.id), ("status", after.status.value),
                               ("http_status", after.http_status or 0)):
                span.set(key, value)
        return after, outcome

    def _measure(self, metric: str, after: OutboxItem, started: float) -> None:
        labels = {"status": after.status.value}
        self._metrics.observe(f"{metric}_latency_ms", (asyncio.get_running_loop().time() - started) * 1000, labels)
        if after.status is not SyncStatus.DELIVERED:
            self._metrics.count(f"{metric}_failures", {**labels, "http_status": str(after.http_status or "")})

    async def _record(self, sent: Sequence[Sent]) -> None:
        """Every outcome, its attempt and the topics' own writes in one transaction; then the audit."""
        if not sent:
            return
        async with self._units() as uow:
            await uow.outbox.record_outcomes([after for after, _ in sent], attempts_of(sent, self._ids))
            now = self._clock.now()
            for topic, group in _sent_by_topic(sent).items():
                await self._handlers[topic].record(uow, group, now)
            await uow.delivery_health.note(marks_of((after for after, _ in sent if after.topic in self._noted), now))
            await uow.commit()
        await audit_batch(self._auditor, self._handlers, sent)

    async def _settle_recording(self) -> str | None:
        recording, self._recording = self._recording, None
        if recording is None:
            return None
        try:
            await recording
        except Exception as error:  # noqa: BLE001 - the lease frees the claim; conditional create dedupes
            return type(error).__name__
        return None


def _by_topic(items: Sequence[OutboxItem]) -> dict[str, list[OutboxItem]]:
    grouped: dict[str, list[OutboxItem]] = {}
    for item in items:
        grouped.setdefault(item.topic, []).append(item)
    return grouped


def _sent_by_topic(sent: Sequence[Sent]) -> dict[str, list[Sent]]:
    grouped: dict[str, list[Sent]] = {}
    for entry in sent:
        grouped.setdefault(entry[0].topic, []).append(entry)
    return grouped
