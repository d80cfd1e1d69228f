"""OutboxRelay: the one consumer of the outbox, for every topic.

Items are claimed (leased) and prepared in one transaction, sent through each item's topic handler (the
peers' latency, not our CPU, bounds a send), and their outcomes, attempts, the handlers' own writes and the
audit entries are recorded in one transaction. Pipelined, the sends slide: up to `limit` are in flight while
items are due, each finished send's slot goes to the next claimed item at once, and what finished is recorded
in the transaction that claims the next items (one connection and one commit per claim, not two). Should that
transaction fail, the claim goes with it and the finished items stay leased until their lease ends: sent
again then, and deduplicated by the EMR's conditional create.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field, replace
from datetime import timedelta

from application.auditing import Auditor
from application.relay_handler import Outcome, TopicHandler, room_of
from application.relay_record import Sent, attempts_of, audit_records, by_topic, measure_send, next_state
from application.relay_window import SendWindow
from application.tracing import NULL_METRICS, NULL_TRACER
from domain.delivery_health import marks_of
from domain.events import OutboxItemSent
from domain.ports import Clock, IdGenerator, Metrics, RandomSource, Tracer, UnitOfWork
from domain.sync import OutboxItem, RetryPolicy

UnitsOfWork = Callable[[], AbstractAsyncContextManager[UnitOfWork]]  # a fresh transaction per call


# while sends are under way and more is due, the finished ones are recorded and new items claimed once a window's
# worth of sends finished (or after RECORD_SECONDS), never more often than TOP_UP_SECONDS; once what was due is
# claimed, when new work is committed (the worker's nudge) or after RECORD_SECONDS
TOP_UP_SECONDS = 0.025
RECORD_SECONDS = 0.25
# windows claimed beyond the one being sent: one that the sends finishing before the next claim use up, one to send
# while that claim's transaction is under way (so a claim per window's worth of sends: each claim's transaction costs
# the worker far more CPU than its rows do)
AHEAD = 2


@dataclass(frozen=True)
class RelayBatch:
    """One call: how many sends at once, how long claimed items stay ours, and whether the sends slide
    (pipelined: `limit` sends kept in flight, AHEAD times as many items claimed ahead) or go as one batch."""

    worker_id: str
    limit: int = 20
    lease: timedelta = field(default=timedelta(seconds=60))
    pipelined: bool = False


@dataclass(frozen=True)
class RelayReport:
    """Each recorded item's new status (deferred ones stay pending); `unrecorded`: why a record failed;
    `under_way`: items claimed and not yet finished (pipelined)."""

    results: tuple[OutboxItemSent, ...] = ()
    unrecorded: str | None = None
    under_way: int = 0

    @property
    def progress(self) -> int:
        return sum(r.status != "pending" for r in self.results)


@dataclass(frozen=True)
class _Claimed:
    items: Sequence[OutboxItem] = ()
    prepared: dict[str, object] = field(default_factory=dict)
    unrecorded: str | None = None  # why the sends recorded along with this claim were not: they stay leased


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
        self._noted = frozenset(topic for topic, handler in self._handlers.items() if room_of(handler) is not None)
        self._clock, self._ids, self._random, self._policy = clock, ids, random, policy
        self._auditor, self._tracer, self._metrics = auditor, tracer, metrics
        self._window = SendWindow(self._send_one)
        self._drained = False  # the last claim took every due item it could
        self._claimed_at = float("-inf")

    async def __call__(self, batch: RelayBatch) -> RelayReport:
        if batch.pipelined:
            return await self._slide(batch)
        claimed = await self._cycle(batch, ())
        sent = await self._send(claimed)
        await self._record(sent)
        return RelayReport(_results(sent))

    def nudge(self) -> None:
        """New work was committed: claim it soon, not only once the sends under way finished."""
        self._window.nudge()

    async def settle(self) -> str | None:
        """Before stopping: every claimed item sent, and every send recorded (not left to its lease).
        Returns why the record failed, if it did."""
        await self._window.empty()
        try:
            await self._record(self._window.take_finished())
        except Exception as error:  # noqa: BLE001 - the lease frees the items; conditional create dedupes
            return type(error).__name__
        return None

    async def _slide(self, batch: RelayBatch) -> RelayReport:
        """Once a window's worth of sends finished (or a short while passed), record them and claim anew."""
        window, loop = self._window, asyncio.get_running_loop()
        if window.held:
            await window.wait(batch.limit, RECORD_SECONDS, nudged=self._drained)
            await asyncio.sleep(self._claimed_at + TOP_UP_SECONDS - loop.time())  # no more often than that
        finished = window.take_finished()
        room = max(0, (1 + AHEAD) * batch.limit - window.held)  # a window being sent and AHEAD claimed
        if not room and not finished:
            return RelayReport(under_way=window.held)
        self._claimed_at = loop.time()
        claimed = await self._cycle(replace(batch, limit=room), finished)
        self._drained = len(claimed.items) < room
        window.add(claimed.items, claimed.prepared, batch.limit)
        return RelayReport(_results(finished) if claimed.unrecorded is None else (), claimed.unrecorded, window.held)

    async def _cycle(self, batch: RelayBatch, previous: Sequence[Sent]) -> _Claimed:
        """The previous batch recorded (with its audit entries) and the next one claimed, in one transaction."""
        try:
            return await self._claim(batch, previous)
        except Exception as error:  # all rolled back: the lease frees the previous batch for a resend
            if not previous:
                raise
            return _Claimed(unrecorded=type(error).__name__)

    async def _claim(self, batch: RelayBatch, previous: Sequence[Sent] = ()) -> _Claimed:
        with self._tracer.span("outbox.claim") as span:
            async with self._units() as uow:
                items = await uow.outbox.claim_due(self._topics, self._clock.now(), batch.limit, batch.worker_id,
                                                   batch.lease, self._room()) if batch.limit else ()
                # after the claim: on Postgres these writes wait for the next statement, the claimed items' reads
                # (one round trip fewer), so their row locks (delivery health) are held only until the commit
                await self._write(uow, previous)
                prepared: dict[str, object] = {}
                for topic, group in by_topic(items, lambda item: item).items():
                    prepared.update(await self._handlers[topic].prepare(uow, group))
                await uow.commit()
            span.set("claimed", len(items))
            span.set("recorded", len(previous))
        return _Claimed(items, prepared)

    def _room(self) -> dict[str, Mapping[str, int]]:
        """By topic, the practices whose destination has room for only so many sends (topics with any)."""
        room = {topic: room_of(handler) for topic, handler in self._handlers.items()}
        return {topic: practices for topic, practices in room.items() if practices}

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
                measure_send(self._metrics, handler.span_name, after, started)
            for key, value in (("item_id", item.id), ("status", after.status.value),
                               ("http_status", after.http_status or 0)):
                span.set(key, value)
        return after, outcome

    async def _record(self, sent: Sequence[Sent]) -> None:
        """Every outcome, its attempt, the topics' own writes and the audit entries in one transaction."""
        if not sent:
            return
        async with self._units() as uow:
            await self._write(uow, sent)
            await uow.commit()

    async def _write(self, uow: UnitOfWork, sent: Sequence[Sent]) -> None:
        await uow.outbox.record_outcomes([after for after, _ in sent], attempts_of(sent, self._ids))
        now = self._clock.now()
        for topic, group in by_topic(sent, lambda entry: entry[0]).items():
            await self._handlers[topic].record(uow, group, now)
        await uow.delivery_health.note(marks_of((after for after, _ in sent if after.topic in self._noted), now))
        if records := audit_records(self._handlers, sent):  # kept only if the outcomes are
            await self._auditor.record_many_in(uow.audit, records)


def _results(sent: Sequence[Sent]) -> tuple[OutboxItemSent, ...]:
    return tuple(OutboxItemSent(a.id, a.status.value, a.http_status, a.topic) for a, _ in sent)
