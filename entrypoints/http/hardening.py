"""HTTP hardening: security headers on every response, and login throttling."""

from __future__ import annotations

from collections import defaultdict, deque
from datetime import datetime, timedelta

from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from domain.ports import Clock

SECURITY_HEADERS = {
    b"x-content-type-options": b"nosniff",
    b"x-frame-options": b"DENY",
    b"referrer-policy": b"no-referrer",
    b"strict-transport-security": b"max-age=31536000; includeSubDomains",
    b"cross-origin-opener-policy": b"same-origin",
}
API_ONLY = {  # not for the interactive OpenAPI pages, which need their scripts
    b"content-security-policy": b"default-src 'none'; frame-ancestors 'none'",
    b"cache-control": b"no-store",
}


def security_headers_middleware(app: ASGIApp) -> ASGIApp:
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await app(scope, receive, send)
            return
        extra = dict(SECURITY_HEADERS)
        if not scope["path"].startswith("/schema"):
            extra.update(API_ONLY)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                message["headers"] = [*message.get("headers", []),
                                      *((k, v) for k, v in extra.items() if k not in present)]
            await send(message)

        await app(scope, receive, send_with_headers)

    return middleware


class LoginThrottle:
    """After `limit` failed logins for a username within `window`, refuse further tries until it passes.

    Kept per API process; with several processes the effective limit is `limit` per process.
    """

    def __init__(self, clock: Clock, limit: int = 5, window: timedelta = timedelta(minutes=15)) -> None:
        self._clock = clock
        self._limit = limit
        self._window = window
        self._failures: dict[str, deque[datetime]] = defaultdict(deque)

    def retry_after(self, username: str) -> int | None:
        """Seconds until `username` may try again, or None when it may try now."""
        failures = self._recent(username)
        if len(failures) < self._limit:
            return None
        return max(1, int((failures[0] + self._window - self._clock.now()).total_seconds()))

    def failed(self, username: str) -> None:
        self._recent(username).append(self._clock.now())

    def succeeded(self, username: str) -> None:
        self._failures.pop(username.lower(), None)

    def _recent(self, username: str) -> deque[datetime]:
        failures = self._failures[username.lower()]
        while failures and failures[0] + self._window <= self._clock.now():
            failures.popleft()
        return failures
