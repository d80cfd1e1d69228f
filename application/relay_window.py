"""The relay's sliding window of sends: claimed items wait in a short queue, at most `size` are sent at once,
and each finished send frees its slot for the next item at once (no transaction in between). Finished
sends wait here until the relay records them, along with its next claim."""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import Callable, Coroutine, Mapping, Sequence
from typing import Any

from application.relay_record import Sent
from domain.sync import OutboxItem

SendOne = Callable[[OutboxItem, object | None], Coroutine[Any, Any, Sent]]


class SendWindow:
    """Claimed items (`held`: queued or being sent) and finished sends (`take_finished`)."""

    def __init__(self, send: SendOne) -> None:
        self._send = send
        self._queue: deque[tuple[OutboxItem, object | None]] = deque()
        self._sending: set[asyncio.Task[Sent]] = set()
        self._finished: list[Sent] = []
        self._size = 0
        self._wanted = 0  # finished sends that end a `wait` early
        self._nudged = False  # new work was committed since the last `take_finished`
        self._heed_nudge = False
        self._ready = asyncio.Event()

    @property
    def held(self) -> int:
        return len(self._queue) + len(self._sending)

    @property
    def finished(self) -> int:
        return len(self._finished)

    def add(self, items: Sequence[OutboxItem], prepared: Mapping[str, object], size: int) -> None:
        """Queue claimed items; send them as slots free, at most `size` at once."""
        self._size = size
        self._queue.extend((item, prepared.get(item.id)) for item in items)
        self._start()

    def take_finished(self) -> list[Sent]:
        finished, self._finished, self._nudged = self._finished, [], False
        return finished

    def nudge(self) -> None:
        """New work was committed: a `wait` that heeds nudges ends."""
        self._nudged = True
        if self._heed_nudge:
            self._ready.set()

    async def wait(self, finished: int, seconds: float, *, nudged: bool = False) -> None:
        """Until `finished` sends are done (or nothing is held any more, or with `nudged` new work was
        committed), for at most `seconds`."""
        self._wanted, self._heed_nudge = finished, nudged
        self._ready.clear()
        if not self._enough():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._ready.wait(), seconds)

    async def empty(self) -> None:
        """Every queued item sent and every send finished (before stopping)."""
        self._size = max(self._size, 1)
        self._start()
        while self._sending:
            await asyncio.wait(set(self._sending))

    def _enough(self) -> bool:
        return not self.held or len(self._finished) >= self._wanted or (self._heed_nudge and self._nudged)

    def _start(self) -> None:
        while self._queue and len(self._sending) < self._size:
            item, prepared = self._queue.popleft()
            task = asyncio.create_task(self._send(item, prepared))
            self._sending.add(task)
            task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[Sent]) -> None:
        self._sending.discard(task)
        # a send's failure is its outcome; cancelled (the loop torn down) or a bug: the lease frees the item
        if not task.cancelled() and task.exception() is None:
            self._finished.append(task.result())
        self._start()
        if self._enough():
            self._ready.set()
