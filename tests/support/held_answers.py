"""The SMART/FHIR sandbox behind a switch that holds its answers after the work is done.

With `hold.seconds` set, a matching request is handled as usual (an Observation is created), and only then
does its answer wait: a caller that dies meanwhile never learns that the EMR has the Observation, which is
the case an idempotent create must absorb when the work is retried. `latency_seconds` of the sandbox's own
state, by contrast, waits before handling, and a request whose caller died is then not handled at all.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager

from litestar.types import ASGIApp, Message, Receive, Scope, Send

from entrypoints.sandbox.app import FHIR_PATH, create_sandbox
from entrypoints.sandbox.assertion import JwksProvider
from entrypoints.sandbox.serve import RunningSandbox
from entrypoints.sandbox.state import SandboxState
from tests.support.live import live_server


class HeldAnswers:
    """ASGI middleware: holds answers to `method` requests under `path_prefix` for `seconds` (0: none)."""

    def __init__(self, app: ASGIApp, path_prefix: str, method: str = "POST") -> None:
        self._app = app
        self._prefix = path_prefix
        self._method = method
        self.seconds = 0.0
        self.held = 0  # answers held so far (their work was done before the hold began)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        seconds = self.seconds
        if (scope["type"] != "http" or not seconds or scope.get("method") != self._method
                or not str(scope.get("path", "")).startswith(self._prefix)):
            await self._app(scope, receive, send)
            return

        async def late(message: Message) -> None:
            if message["type"] == "http.response.start":
                self.held += 1
                await asyncio.sleep(seconds)
            await send(message)

        await self._app(scope, receive, late)


@contextmanager
def serve_sandbox_holding_answers(
    jwks: JwksProvider, state: SandboxState, path: str = "/Observation"
) -> Iterator[tuple[RunningSandbox, HeldAnswers]]:
    """The sandbox on a free port, its answers to POST {FHIR base}`path` held while `hold.seconds` > 0."""
    hold = HeldAnswers(create_sandbox(jwks, state=state, fhir_path=FHIR_PATH), FHIR_PATH + path)
    with live_server(hold) as origin:  # type: ignore[arg-type]  # any ASGI app serves
        yield RunningSandbox(origin, state, FHIR_PATH), hold

