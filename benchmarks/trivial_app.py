"""The load generator's ceiling: a raw ASGI app that reads the request and answers a constant.

Served by the benchmark like the baseline (uvicorn, uvloop, httptools, one process) and loaded by
wrk with the same requests and settings, it shows how many requests per second wrk and the HTTP
stack deliver when the endpoint does no work; a figure close to it says little about the app.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

BODY = b'{"status":"ok"}'
HEADERS = [(b"content-type", b"application/json"), (b"content-length", str(len(BODY)).encode())]

Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


async def _constant(scope: dict[str, Any], receive: Receive, send: Send) -> None:
    if scope["type"] == "lifespan":
        while True:
            if (await receive())["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            else:
                await send({"type": "lifespan.shutdown.complete"})
                return
    while (await receive()).get("more_body"):  # read the body, as any endpoint would
        pass
    await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
    await send({"type": "http.response.body", "body": BODY})


def create() -> Callable[[dict[str, Any], Receive, Send], Awaitable[None]]:
    """The factory `uvicorn --factory benchmarks.trivial_app:create` calls."""
    return _constant
