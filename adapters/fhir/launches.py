"""UserLaunch across practices: a user's launch goes to their practice's EMR, and the callback — which
carries no user — finds that launch again by its state (held in this process's memory only, as a
StandaloneLaunch holds its own; gone after `ttl_seconds`)."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from urllib.parse import parse_qs, urlsplit

from adapters.fhir.launch import StandaloneLaunch
from domain.ports.user_launch import LaunchRefused, LinkedAccount

LaunchFor = Callable[[str], Awaitable[StandaloneLaunch]]  # a practice's launch (NoEmrConnection: none)


class PracticeLaunches:
    """Starts each launch at the practice's own StandaloneLaunch and completes it there."""

    def __init__(self, launch_for: LaunchFor, *, ttl_seconds: float = 600,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._launch_for, self._ttl, self._clock = launch_for, ttl_seconds, clock
        self._pending: dict[str, tuple[StandaloneLaunch, float]] = {}  # state -> (its launch, deadline)

    async def start(self, user_id: str, practice_id: str) -> str:
        launch = await self._launch_for(practice_id)
        url = await launch.start(user_id)
        state = parse_qs(urlsplit(url).query).get("state", [""])[0]
        now = self._clock()
        self._pending = {s: p for s, p in self._pending.items() if p[1] > now}
        self._pending[state] = (launch, now + self._ttl)
        return url

    async def complete(self, *, code: str | None, state: str | None, error: str | None = None) -> LinkedAccount:
        pending = self._pending.pop(state or "", None)
        if pending is None or pending[1] <= self._clock():
            raise LaunchRefused("invalid_state", "this launch is unknown, used or expired",
                                "start the launch again; never reuse an authorization link")
        return await pending[0].complete(code=code, state=state, error=error)
