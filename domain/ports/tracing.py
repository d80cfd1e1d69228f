"""The tracing port: spans around pipeline steps, and a serialisable context to continue a trace later
(the outbox row carries it, so one reading is one connected trace). Attributes: ids and codes only."""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Protocol


class Span(Protocol):
    def set(self, key: str, value: str | int) -> None: ...


class Tracer(Protocol):
    def span(self, name: str, parent: str | None = None) -> AbstractContextManager[Span]:
        """A span; `parent` is a context from `current_context()`, possibly from another process."""
        ...

    def current_context(self) -> str | None:
        """The current span as a W3C traceparent string, to store with work done later."""
        ...
