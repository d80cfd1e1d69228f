"""One EMR connection's own limits: at most `max_in_flight` calls at once, and a rest after a failure that
says "not now" (429/503 with Retry-After, a timeout or unreachable server, a refused token), during which
calls fail fast with EmrResting and never touch the network. After a rest, a quarter of its slots try the
connection until a call succeeds (the others fail fast meanwhile): a backlog does not hit an EMR that is
still down with a full burst of calls. Nothing here is shared between connections."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from adapters.fhir.config import Closeable
from adapters.fhir.errors import SmartAuthError
from domain.observations import ObservationDraft
from domain.patients import EmrPatient
from domain.ports.emr import (
    EmrCapabilities,
    EmrError,
    EmrGateway,
    EmrPatientPage,
    EmrResting,
    EmrUnavailable,
    ObservationReceipt,
)

T = TypeVar("T")
BASE_REST_SECONDS = 2.0
MAX_REST_SECONDS = 300.0
MAX_RETRY_AFTER_SECONDS = 3600.0  # a Retry-After beyond an hour is not believed further
TRYING_SECONDS = 0.1  # while calls try a connection after its rest, the others wait this long


def rests_after(error: EmrError) -> bool:
    """A failure of the connection rather than of one request: the whole connection rests."""
    if isinstance(error, SmartAuthError) or error.http_status in (401, 429, 503):
        return True
    return isinstance(error, EmrUnavailable) and error.http_status is None  # timeout, transport, TLS


class Backoff:
    """When the connection may be called again: exponential with jitter and a cap, or the peer's Retry-After."""

    def __init__(self, clock: Callable[[], float], random: Callable[[], float]) -> None:
        self._clock, self._random = clock, random
        self.failures = 0
        self.until = float("-inf")

    def remaining(self) -> float:
        return max(0.0, self.until - self._clock())

    def failed(self, retry_after: float | None) -> None:
        self.failures += 1
        if retry_after is not None:
            wait = min(max(retry_after, 0.0), MAX_RETRY_AFTER_SECONDS)
        else:
            backoff = min(MAX_REST_SECONDS, BASE_REST_SECONDS * 2 ** min(self.failures - 1, 20))
            wait = backoff * (0.5 + self._random() / 2)
        self.until = max(self.until, self._clock() + wait)

    def succeeded(self) -> None:
        self.failures = 0


class GuardedGateway:
    """The EmrGateway of one connection, within its in-flight cap and rests; `retire` closes it once idle."""

    def __init__(self, inner: EmrGateway, max_in_flight: int, backoff: Backoff,
                 closer: Closeable | None = None) -> None:
        self._inner, self._backoff, self._closer = inner, backoff, closer
        self._slots = asyncio.Semaphore(max_in_flight)
        self._trial_slots = max(1, max_in_flight // 4)
        self.in_flight = 0
        self._retired = False

    @property
    def resting(self) -> bool:
        return self._backoff.remaining() > 0

    @property
    def room(self) -> int | None:
        """How many more calls may start now, where that is limited: none while resting or with every
        in-flight slot taken; after a rest, the trial slots still free until a call succeeds. None: a call
        now starts at once."""
        if self.resting or self._slots.locked():
            return 0
        if self._backoff.failures > 0:
            return max(0, self._trial_slots - self.in_flight)
        return None

    @property
    def _trying(self) -> bool:
        return self._backoff.failures > 0 and self.in_flight >= self._trial_slots

    async def check_connection(self) -> EmrCapabilities:
        return await self._call(self._inner.check_connection)

    async def search_patients(self, page: int, page_size: int) -> EmrPatientPage:
        return await self._call(lambda: self._inner.search_patients(page, page_size))

    async def read_patient(self, emr_patient_id: str) -> EmrPatient | None:
        return await self._call(lambda: self._inner.read_patient(emr_patient_id))

    async def create_observation(self, draft: ObservationDraft) -> ObservationReceipt:
        return await self._call(lambda: self._inner.create_observation(draft))

    async def withdraw_observation(self, identifier: str) -> ObservationReceipt | None:
        return await self._call(lambda: self._inner.withdraw_observation(identifier))

    async def retire(self) -> None:
        """Replaced by a newer version of the connection: close its HTTP client when no call uses it."""
        self._retired = True
        if self.in_flight == 0:
            await self._close()

    async def _call(self, call: Callable[[], Awaitable[T]]) -> T:
        self._fail_fast()
        if self._trying:  # failed last time: this call waits for those trying the connection
            raise EmrResting(TRYING_SECONDS)
        async with self._slots:
            self._fail_fast()  # it may have started resting while this call waited for a slot
            self.in_flight += 1
            try:
                result = await call()
            except EmrError as error:
                if rests_after(error):
                    self._backoff.failed(error.retry_after if isinstance(error, EmrUnavailable) else None)
                raise
            finally:
                self.in_flight -= 1
                if self._retired and self.in_flight == 0:
                    await self._close()
        self._backoff.succeeded()
        return result

    def _fail_fast(self) -> None:
        remaining = self._backoff.remaining()
        if remaining > 0:
            raise EmrResting(remaining)

    async def _close(self) -> None:
        closer, self._closer = self._closer, None
        if closer is not None:
            await closer.aclose()
